/**
 * Runs `planRelease` in a process of its own so that its memory can be read without the rest
 * of the benchmark in it, and so that it can be profiled with `node --cpu-prof`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { openGit } from '../activities/git.js';
import { planRelease } from '../activities/plan.js';
import { historyRepoConfig } from './plan-config.js';

export interface PlanChildResult {
  ms: number;
  rssBefore: number;
  /** Peak RSS while planning: VmHWM after resetting it, or getrusage's lifetime maxrss where that is impossible. */
  peakAfter: number;
  peakWasReset: boolean;
  /** The plans' start and end on the monotonic clock in µs, the clock `--cpu-prof` timestamps use. */
  windowUs: [number, number];
  commitCount: number;
  version: string | null;
}

function statusBytes(field: 'VmRSS' | 'VmHWM'): number | null {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Number(kb) * 1024 : null;
}

/** Linux resets VmHWM to the current RSS on `5` in clear_refs, so the peak that follows is the plan's own. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return statusBytes('VmHWM') !== null;
  } catch {
    return false;
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function send(message: PlanChildResult): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return resolve();
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

async function main(): Promise<void> {
  const [dir, sha, repeat = '1'] = process.argv.slice(2);
  if (!dir || !sha) throw new Error('usage: plan-child <dir> <sha> [repeat]');
  const repo = historyRepoConfig(dir);
  (globalThis as { gc?: () => void }).gc?.();
  const peakWasReset = resetPeak();
  const rssBefore = statusBytes('VmRSS') ?? process.memoryUsage().rss;
  const windowStart = monotonicUs();
  let first: { ms: number; commitCount: number; version: string | null } | null = null;
  for (let i = 0; i < Number(repeat); i += 1) {
    const started = performance.now();
    const plan = await planRelease(openGit(dir), repo, { sha, date: '2025-01-01' });
    first ??= { ms: performance.now() - started, commitCount: plan.commitCount, version: plan.version };
  }
  const windowEnd = monotonicUs();
  if (!first) throw new Error('no plan ran');
  // maxRSS is in kilobytes.
  const peakAfter = (peakWasReset ? statusBytes('VmHWM') : null) ?? process.resourceUsage().maxRSS * 1024;
  const result: PlanChildResult = { ...first, rssBefore, peakAfter, peakWasReset, windowUs: [windowStart, windowEnd] };
  await send(result);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
