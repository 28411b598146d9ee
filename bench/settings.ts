import path from 'node:path';

export const BENCHMARKS = ['plan', 'release', 'api', 'concurrent', 'events'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** Sizes and repetitions of a run; every one can be set from the environment. */
export interface BenchSettings {
  quick: boolean;
  only: ReadonlySet<BenchmarkName>;
  /** Commits since the last tag in the synthetic histories. */
  planSizes: number[];
  /** Timed runs per size up to 10k commits … */
  planRuns: number;
  /** … and above (each run there takes seconds). */
  planRunsLarge: number;
  /** Measured releases in benchmark 2, after one warm-up release. */
  releases: number;
  loadSeconds: number;
  loadConnections: number;
  /** Repositories released at once in benchmark 4, one round per number. */
  concurrency: number[];
  /** Benchmark 5: SSE subscribers of GET /events, and the releases (one per repository) they watch. */
  eventSubscribers: number;
  eventReleases: number;
  /** `auto`: cross-check with wrk when it is on PATH. */
  wrk: 'auto' | 'on' | 'off';
  /** Where the Markdown report goes; null writes none. */
  out: string | null;
}

function numbers(value: string | undefined, fallback: number[]): number[] {
  if (!value) return fallback;
  const parsed = value.split(',').map((part) => Number(part.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`expected a comma-separated list of positive integers, got ${JSON.stringify(value)}`);
  return parsed;
}

function number(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`expected a positive number, got ${JSON.stringify(value)}`);
  return parsed;
}

/**
 * BENCH_QUICK=1 is a smoke run of a minute or two whose figures mean little; it writes its
 * report beside the compiled benchmark rather than over docs/benchmarks.md.
 */
export function benchSettings(env: NodeJS.ProcessEnv, repoRoot: string): BenchSettings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const only = env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((name) => name.trim()) : [...BENCHMARKS];
  for (const name of only) {
    if (!(BENCHMARKS as readonly string[]).includes(name))
      throw new Error(`BENCH_ONLY: unknown benchmark ${JSON.stringify(name)}; choose from ${BENCHMARKS.join(', ')}`);
  }
  const wrk = env.BENCH_WRK === '1' ? 'on' : env.BENCH_WRK === '0' ? 'off' : 'auto';
  const defaultOut = quick
    ? path.join(repoRoot, 'dist', 'bench', 'benchmarks.quick.md')
    : path.join(repoRoot, 'docs', 'benchmarks.md');
  return {
    quick,
    only: new Set(only as BenchmarkName[]),
    planSizes: numbers(env.BENCH_PLAN_SIZES, quick ? [1_000, 5_000] : [1_000, 10_000, 50_000]),
    planRuns: number(env.BENCH_PLAN_RUNS, quick ? 3 : 7),
    planRunsLarge: number(env.BENCH_PLAN_RUNS_LARGE, 3),
    releases: number(env.BENCH_RELEASES, quick ? 3 : 7),
    loadSeconds: number(env.BENCH_LOAD_SECONDS, quick ? 2 : 10),
    loadConnections: number(env.BENCH_LOAD_CONNECTIONS, 100),
    concurrency: numbers(env.BENCH_CONCURRENCY, quick ? [5, 10] : [10, 50, 100]),
    eventSubscribers: number(env.BENCH_EVENTS_SUBSCRIBERS, quick ? 100 : 1_000),
    eventReleases: number(env.BENCH_EVENTS_RELEASES, quick ? 5 : 10),
    wrk,
    out: env.BENCH_OUT === '-' ? null : env.BENCH_OUT ? path.resolve(env.BENCH_OUT) : defaultOut,
  };
}
