import { endedHow } from '../../domain/notification.js';
import { runKindOf, type RunNotificationsView } from '../api-types.js';
import { answer, RUN, runPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { table, timestamp } from '../render.js';

export interface NotificationsCommand {
  name: 'notifications';
  id: string;
  kind: 'release' | 'deploy';
  /** One run of the ID (`--run <runId>`); null for the latest. */
  run: string | null;
}

export const spec: CommandSpec = {
  synopsis: 'notifications <id> [--run <runId>] [--json]',
  summary: 'Show how the notifications of a release or deployment went: each target, each event, delivered or not',
  positional: 'id',
  options: RUN,
};

export function parse({ positional, str, usage }: ParseInput): NotificationsCommand {
  const kind = runKindOf(positional);
  if (kind !== 'release' && kind !== 'deploy')
    throw new UsageError(`"${positional}" is not a release or deployment ID: expected release:… or deploy:…`, usage);
  return { name: 'notifications', id: positional, kind, run: str('run') };
}

export async function run(command: NotificationsCommand, context: RunContext): Promise<number> {
  const path = runPath(command.kind, command.id);
  const body = await context.api.get<RunNotificationsView>(
    `${path}/notifications${command.run ? `?runId=${encodeURIComponent(command.run)}` : ''}`,
  );
  return answer(context, body, () => renderNotifications(body));
}

/** How the run's events came to an end: its last one, or how it closed without sending it. */
function closing(state: NonNullable<NonNullable<RunNotificationsView['notifier']>['state']>): string {
  if (state.runEnded) return `, the run ${endedHow(state.runEnded)}`;
  return state.closed ? ', the run sent its last' : '';
}

/** One line per event and target, in the run's order. */
export function renderNotifications(view: RunNotificationsView): string[] {
  const head = `Notifications of ${view.workflowId} (run ${view.runId})`;
  const notifier = view.notifier;
  if (!notifier) return [`${head}: none sent (no notify target takes this run's events).`];
  const state = notifier.state;
  if (!state) return [`${head}: ${notifier.workflowId} is ${notifier.status}; it has not said more yet.`];
  const rows = state.targets.flatMap((target) =>
    target.deliveries.map((d) => [
      target.name,
      String(d.seq),
      d.event,
      d.status,
      d.attempts ? String(d.attempts) : '-',
      timestamp(d.at),
      d.error ?? '',
    ]),
  );
  return [
    `${head}: ${notifier.workflowId} ${notifier.status === 'RUNNING' ? 'is delivering' : 'is done'} (${state.received} event${state.received === 1 ? '' : 's'}${closing(state)})`,
    '',
    ...(rows.length
      ? table(['TARGET', 'SEQ', 'EVENT', 'STATUS', 'ATTEMPT', 'AT', 'ERROR'], rows)
      : ['Nothing delivered yet.']),
    ...(notifier.status === 'RUNNING'
      ? ['', 'Still delivering: an event a target did not take yet is retried with backoff until its giveUpAfter.']
      : []),
  ].map((line) => line.trimEnd());
}
