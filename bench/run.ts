/**
 * `npm run bench`: the five benchmarks in one run, one table on stdout, and the report with the
 * machine's description in docs/benchmarks.md. Sizes come from BENCH_* variables (settings.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiBenchmark } from './api-bench.js';
import { concurrentBenchmark } from './concurrent-bench.js';
import { startTemporal, type TemporalEnvironment } from './environment.js';
import { eventsBenchmark } from './events-bench.js';
import { describeMachine, machineLines } from './machine.js';
import { planBenchmark } from './plan-bench.js';
import { releaseBenchmark } from './release-bench.js';
import { startReleaseStage } from './release-stage.js';
import { markdownTable, textTable, type BenchResult, type Row } from './report.js';
import { benchSettings, type BenchSettings } from './settings.js';
import { elapsedMs, formatMs } from './stats.js';
import { findWrk } from './wrk.js';

interface Section {
  title: string;
  result: BenchResult;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** A benchmark that throws leaves an error row and lets the others run; the exit code says so. */
async function attempt(
  sections: Section[],
  title: string,
  benchmark: string,
  run: () => Promise<BenchResult>,
): Promise<void> {
  try {
    sections.push({ title, result: await run() });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${benchmark} failed: ${message}`);
    process.exitCode = 1;
    sections.push({
      title,
      result: {
        rows: [
          {
            benchmark,
            case: '',
            metric: 'error',
            value: message.split('\n')[0]?.slice(0, 120) ?? '',
            target: '',
            verdict: 'miss',
          },
        ],
        notes: [`Failed: ${message}`],
      },
    });
  }
}

function targetSummary(rows: readonly Row[]): string {
  const judged = rows.filter((row) => row.verdict !== '');
  const missed = judged.filter((row) => row.verdict === 'miss');
  if (judged.length === 0) return 'No figure in this run has a target.';
  const list = missed
    .map((row) => `${row.benchmark} ${row.case} ${row.metric} (${row.value} against ${row.target || 'no error'})`)
    .join('; ');
  return `Targets: ${judged.length - missed.length} of ${judged.length} hit.${missed.length ? ` Missed: ${list}. Where the time goes is under each benchmark below.` : ''}`;
}

function howToRun(settings: BenchSettings): string[] {
  return [
    '## Running it',
    '',
    '`npm run bench` builds and runs everything (about 10–15 minutes on 2 cores); it needs git and a Temporal CLI (found or built as for `npm start`), nothing else.',
    'wrk, when on PATH, adds a cross-check of benchmark 3. Variables: `BENCH_QUICK=1` (a smoke run of a couple of minutes, report to dist/bench/),',
    '`BENCH_ONLY=plan,release,api,concurrent,events`, `BENCH_PLAN_SIZES=1000,10000,50000`, `BENCH_PLAN_RUNS` (≤ 10k commits), `BENCH_PLAN_RUNS_LARGE`,',
    '`BENCH_RELEASES`, `BENCH_LOAD_SECONDS`, `BENCH_LOAD_CONNECTIONS`, `BENCH_CONCURRENCY=10,50,100`, `BENCH_EVENTS_SUBSCRIBERS=1000`, `BENCH_EVENTS_RELEASES=10`,',
    '`BENCH_WRK=0|1`, `BENCH_OUT=<file>|-`.',
    '',
    `This run: plan sizes ${settings.planSizes.join(', ')} (${settings.planRuns} runs, ${settings.planRunsLarge} above 10k), ${settings.releases} releases, ` +
      `${settings.loadConnections} connections × ${settings.loadSeconds} s, concurrency ${settings.concurrency.join(', ')}${settings.quick ? ' (BENCH_QUICK)' : ''}.`,
  ];
}

async function main(): Promise<void> {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const settings = benchSettings(process.env, repoRoot);
  const wrk = settings.wrk === 'off' ? null : await findWrk();
  if (settings.wrk === 'on' && !wrk) throw new Error('BENCH_WRK=1 but wrk is not on PATH');
  const started = process.hrtime.bigint();
  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  const sections: Section[] = [];
  const only = settings.only;
  let temporal: TemporalEnvironment | null = null;
  try {
    // The plan benchmark asks the API for a plan too, which a worker answers through Temporal.
    temporal = await startTemporal(log);
    if (only.has('plan'))
      await attempt(sections, '1. Plan on long histories', '1 plan', () => planBenchmark(settings, log, temporal));
    if (temporal && (only.has('release') || only.has('api'))) {
      const stage = await startReleaseStage(temporal);
      try {
        if (only.has('release'))
          await attempt(sections, '2. Orchestration overhead', '2 release', () =>
            releaseBenchmark(stage, settings, log),
          );
        else await stage.releaseWithShipgate();
        if (only.has('api'))
          await attempt(sections, '3. API under load', '3 api', () => apiBenchmark(stage, settings, wrk, log));
      } finally {
        await stage.stop();
      }
    }
    if (temporal && only.has('concurrent')) {
      const env = temporal;
      await attempt(sections, '4. Many releases at once', '4 many', () => concurrentBenchmark(env, settings, log));
    }
    if (temporal && only.has('events')) {
      const env = temporal;
      await attempt(sections, '5. Live events to many subscribers', '5 events', () =>
        eventsBenchmark(env, settings, log),
      );
    }
  } finally {
    await temporal?.stop();
  }

  const totalMs = elapsedMs(started);
  const rows = sections.flatMap((section) => section.result.rows);
  process.stdout.write(`\n${textTable(rows)}\n\ntotal ${formatMs(totalMs)}\n`);
  if (!settings.out) return;
  const machine = await describeMachine(temporal?.executable ?? null, wrk, loadAtStart);
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) in ${formatMs(totalMs)}. Every figure is the median of its runs with the spread (min–max) beside it; ` +
      'every ratio compares two things measured side by side, interleaved, in the same run. Targets are stated beside each figure, with hit or miss.',
    '',
    ...machineLines(machine),
    '',
    markdownTable(rows),
    '',
    targetSummary(rows),
    '',
    ...sections.flatMap((section) => [
      `## ${section.title}`,
      '',
      ...section.result.notes.flatMap((note) => [note, '']),
    ]),
    ...howToRun(settings),
    '',
  ];
  await mkdir(path.dirname(settings.out), { recursive: true });
  await writeFile(settings.out, lines.join('\n'));
  log(`report written to ${settings.out}`);
}

main().catch((error: unknown) => {
  log(`stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
