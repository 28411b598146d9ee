import type { EnvironmentsView, EnvironmentView } from '../api-types.js';
import { answer, repoPath, UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { shown, table, timestamp } from '../render.js';

export interface EnvsCommand {
  name: 'envs';
  repo: string;
  limit: number | null;
}

export const spec: CommandSpec = {
  synopsis: 'envs <repo> [--limit <n>] [--json]',
  summary:
    'Show the environments of a repository: what is live, since when, last good, pinned, pending, and freeze windows',
  positional: 'repo',
  options: {
    limit: {
      type: 'string',
      value: '<n>',
      description: 'Ledger entries per environment in --json, newest first (default: 20)',
    },
  },
};

export function parse({ positional, str, usage }: ParseInput): EnvsCommand {
  const limit = str('limit');
  if (limit !== null && !/^[1-9][0-9]{0,2}$/.test(limit))
    throw new UsageError(`--limit must be a whole number from 1 to 999, got "${limit}"`, usage);
  return { name: 'envs', repo: positional, limit: limit === null ? null : Number(limit) };
}

export async function run(command: EnvsCommand, context: RunContext): Promise<number> {
  const query = command.limit === null ? '' : `?${new URLSearchParams({ limit: String(command.limit) }).toString()}`;
  return answer(
    context,
    await context.api.get<EnvironmentsView>(`${repoPath(command.repo)}/environments${query}`),
    renderEnvironments,
  );
}

export function renderEnvironments(view: EnvironmentsView): string[] {
  if (view.environments.length === 0) return shown([`${view.repoId} has no environments: it deploys nowhere.`]);
  const rows = view.environments.map((env) => [
    env.name,
    env.live ? `${env.live.version}${env.live.verified ? '' : ' (unverified)'}` : '-',
    env.live ? timestamp(env.live.since) : '-',
    env.lastGood?.version ?? '-',
    pinnedCell(env),
    env.pending.length ? env.pending.map((p) => `${p.version} ${p.status}`).join(', ') : '-',
  ]);
  const flow = view.environments
    .filter((env) => env.after !== null)
    .map(
      (env) =>
        `${env.after} → ${env.name}: after ${duration(env.soakMs)} healthy, ${env.autoPromote ? 'by itself' : 'on request (shipgate promote)'}`,
    );
  const fromReports = view.environments.filter((env) => !env.started).map((env) => env.name);
  const freezes = view.environments.flatMap(freezeLine);
  return shown([
    ...table(['ENV', 'LIVE', 'SINCE', 'LAST GOOD', 'PINNED', 'PENDING'], rows),
    ...(flow.length ? ['', ...flow] : []),
    ...(freezes.length ? ['', ...freezes] : []),
    ...(fromReports.length && view.promotes
      ? [`not deployed through shipgate's environments yet (shown from the deploy reports): ${fromReports.join(', ')}`]
      : []),
    ...view.warnings.map((warning) => `warning: ${warning}`),
  ]);
}

/** One line per environment with freeze windows: the one open now, then the next ones. */
function freezeLine(env: EnvironmentView): string[] {
  const freeze = env.freeze;
  if (!freeze || freeze.windows === 0) return [];
  const why = (reason: string | null) => (reason ? ` (${reason})` : '');
  const now = freeze.open ? `frozen until ${timestamp(freeze.open.until)}${why(freeze.open.reason)}` : 'not frozen';
  const next = freeze.coming.length
    ? `next ${freeze.coming.map((w) => `${timestamp(w.from)} → ${timestamp(w.until)}${why(w.reason)}`).join(', ')}`
    : 'no freeze window coming';
  return [`${env.name}: ${now}; ${next}`];
}

function pinnedCell(env: EnvironmentView): string {
  const pin = env.pinned;
  if (!pin) return '-';
  return `${pin.automatic ? 'by a rollback' : `by ${pin.by}`}: ${pin.reason}`;
}

/** 90000 → 1m30s; 0 → 0s. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join('');
}
