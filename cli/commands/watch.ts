import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown } from '../render.js';

export interface WatchView {
  repoId: string;
  scheduleId: string;
  paused: boolean;
  note: string | null;
  intervalMs: number;
  lastTick: {
    at: string;
    workflowId: string;
    /** Absent from an API older than the tick's status. */
    status?: 'running' | 'completed' | 'failed' | 'terminated' | 'cancelled' | 'timed out' | 'unknown';
    sha: string | null;
    startedQa: boolean | null;
    reason?: string | null;
  } | null;
  nextRuns: string[];
}

export interface WatchCommand {
  name: 'watch';
  repo: string;
  action: 'show' | 'pause' | 'resume';
  note: string | null;
}

export const spec: CommandSpec = {
  synopsis: 'watch <repo> [pause <note…>|resume] [--json]',
  summary: 'Show, pause (with a note for the UI) or resume the branch watch of a repository',
  positional: 'repo',
  rest: true,
  options: {},
};

export function parse({ positionals, usage }: ParseInput): WatchCommand {
  const [repo = '', action, ...note] = positionals;
  if (action === undefined) return { name: 'watch', repo, action: 'show', note: null };
  if (action === 'resume' && note.length === 0) return { name: 'watch', repo, action, note: null };
  if (action === 'pause') {
    if (note.length === 0)
      throw new UsageError('"shipgate watch <repo> pause" needs a note saying why, e.g. "release freeze"', usage);
    return { name: 'watch', repo, action, note: note.join(' ') };
  }
  throw new UsageError(
    `"shipgate watch" takes pause <note> or resume after the repository, got "${[action, ...note].join(' ')}"`,
    usage,
  );
}

export async function run(command: WatchCommand, context: RunContext): Promise<number> {
  const url = `${repoPath(command.repo)}/watch`;
  const body =
    command.action === 'show'
      ? await context.api.get<WatchView>(url)
      : await context.api.post<WatchView>(`${url}/${command.action}`, command.note ? { note: command.note } : {});
  return answer(context, body, renderWatch);
}

export function renderWatch(watch: WatchView): string[] {
  const tick = watch.lastTick;
  return shown([
    `Watch of ${watch.repoId} (schedule ${watch.scheduleId}, every ${Math.round(watch.intervalMs / 1000)}s): ${watch.paused ? 'PAUSED' : 'active'}${watch.note ? ` — ${watch.note}` : ''}`,
    tick ? `  last tick   ${tick.at}: ${tickLine(tick)}` : '  last tick   none yet',
    `  next runs   ${watch.nextRuns.length ? watch.nextRuns.join(', ') : watch.paused ? 'none while paused' : 'none'}`,
  ]);
}

function tickLine(tick: NonNullable<WatchView['lastTick']>): string {
  if (tick.sha) return `saw ${tick.sha.slice(0, 7)}, ${tick.startedQa ? 'started QA' : 'nothing new'}`;
  const status = tick.status ?? 'running';
  if (status === 'running') return `still running (${tick.workflowId})`;
  return `${status}${tick.reason ? `: ${tick.reason}` : ''} (${tick.workflowId})`;
}
