import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { openGit, readSinceLastRelease } from '../activities/git.js';
import { planRelease } from '../activities/plan.js';
import { renderChangelogEntry } from '../domain/changelog.js';
import { analyseCommits } from '../domain/commits.js';
import { childResult } from './child-result.js';
import { readProfile, summariseProfile } from './cpu-profile.js';
import type { TemporalEnvironment } from './environment.js';
import { createHistoryRepo, HISTORY_TAG, type HistoryRepo } from './history-repo.js';
import { planApiComparison } from './plan-api-bench.js';
import type { PlanChildResult } from './plan-child.js';
import { historyRepoConfig } from './plan-config.js';
import { verdict, type BenchResult, type Row } from './report.js';
import type { BenchSettings } from './settings.js';
import { elapsedMs, formatMb, formatMs, formatRatio, formatSpread, pairedRatios, spread } from './stats.js';

const TARGET_SIZE = 10_000;
const TARGET_RATIO = 2;
const TARGET_MS = 1_000;
/** semantic-release takes minutes per run on 10k commits: fewer runs of the comparison than of the plan alone. */
const MAX_COMPARISON_RUNS = 3;
const LOG_FORMAT = '--format=%H%x00%P%x00%cI%x00%an%x00%B';

function label(size: number): string {
  return size >= 1000 && size % 1000 === 0 ? `${size / 1000}k commits` : `${size} commits`;
}

async function timeRawLog(dir: string): Promise<number> {
  const started = process.hrtime.bigint();
  await execa('git', ['log', '-z', LOG_FORMAT, `${HISTORY_TAG}..HEAD`], { cwd: dir });
  return elapsedMs(started);
}

async function timePlan(history: HistoryRepo): Promise<number> {
  const repo = historyRepoConfig(history.dir);
  const started = process.hrtime.bigint();
  const plan = await planRelease(openGit(history.dir), repo, { sha: history.head, date: '2025-01-01' });
  const ms = elapsedMs(started);
  if (plan.commitCount !== history.commits)
    throw new Error(`plan saw ${plan.commitCount} commits, expected ${history.commits}`);
  return ms;
}

/** The plan's parts timed one by one on the same input: reading the log, analysing, rendering. */
interface Phases {
  logMs: number;
  analyseMs: number;
  renderMs: number;
}

async function timePhases(history: HistoryRepo): Promise<Phases> {
  const git = openGit(history.dir);
  let started = process.hrtime.bigint();
  // The plan's own read, with nothing done per commit: refs, the one streamed log, the split into commits.
  const { previous, commits } = await readSinceLastRelease(
    git,
    history.head,
    { tagFormat: 'v${version}', remote: 'origin', branch: 'main' },
    { add: () => undefined, restart: () => undefined },
  );
  const logMs = elapsedMs(started);
  if (previous?.tag !== HISTORY_TAG) throw new Error(`the plan's read found ${previous?.tag ?? 'no tag'}`);
  started = process.hrtime.bigint();
  const analysis = analyseCommits(commits);
  const analyseMs = elapsedMs(started);
  started = process.hrtime.bigint();
  renderChangelogEntry({
    version: '2.0.0',
    date: '2025-01-01',
    analysis,
    previousTag: HISTORY_TAG,
    tag: 'v2.0.0',
    repoUrl: 'https://github.com/acme/webshop.git',
  });
  const renderMs = elapsedMs(started);
  return { logMs, analyseMs, renderMs };
}

async function profilePlan(history: HistoryRepo): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-bench-prof-'));
  try {
    const child = await childResult<PlanChildResult>('plan-child.js', [history.dir, history.head, '3'], {
      execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      timeoutMs: 600_000,
    });
    const summary = summariseProfile(await readProfile(dir), child.windowUs);
    const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
    const scope = summary.windowed ? 'only the samples taken while planning' : 'the whole process, start-up included';
    return [
      `CPU profile of a separate process planning the ${label(history.commits)} history three times (\`node --cpu-prof\`, ${scope}: ${formatMs(summary.totalMs)}, self time; \`(idle)\` is the event loop waiting, i.e. for git):`,
      `- by area: ${summary.byArea.map((a) => `${a.area} ${pct(a.share)}`).join(', ')}`,
      `- hottest functions: ${summary.byFunction.map((f) => `\`${f.name}\` ${pct(f.share)}`).join(', ')}`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Benchmark 1: `planRelease` end to end against the `git log` it runs, on histories of growing
 * length, interleaved run by run (the order alternates) after one warm-up of each.
 */
export async function planBenchmark(
  settings: BenchSettings,
  log: (line: string) => void,
  temporal: TemporalEnvironment | null = null,
): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const size of settings.planSizes) {
    const buildStarted = process.hrtime.bigint();
    const history = await createHistoryRepo(size);
    log(`plan: ${label(size)} built with git fast-import in ${formatMs(elapsedMs(buildStarted))}`);
    try {
      const runs = size > TARGET_SIZE ? settings.planRunsLarge : settings.planRuns;
      await timeRawLog(history.dir);
      await timePlan(history);
      const gitMs: number[] = [];
      const planMs: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        if (run % 2 === 0) {
          gitMs.push(await timeRawLog(history.dir));
          planMs.push(await timePlan(history));
        } else {
          planMs.push(await timePlan(history));
          gitMs.push(await timeRawLog(history.dir));
        }
      }
      const phases: Phases[] = [];
      for (let run = 0; run < Math.min(3, runs); run += 1) phases.push(await timePhases(history));
      const memory: number[] = [];
      let peakNotReset = false;
      for (let run = 0; run < Math.min(3, runs); run += 1) {
        const child = await childResult<PlanChildResult>('plan-child.js', [history.dir, history.head], {
          execArgv: ['--expose-gc'],
          timeoutMs: 600_000,
        });
        memory.push(Math.max(0, child.peakAfter - child.rssBefore));
        if (!child.peakWasReset) peakNotReset = true;
      }

      const plan = spread(planMs);
      const ratio = spread(pairedRatios(planMs, gitMs));
      const targeted = size === TARGET_SIZE;
      const c = label(size);
      rows.push(
        {
          benchmark: '1 plan',
          case: c,
          metric: 'planRelease',
          value: formatSpread(plan, formatMs),
          target: targeted ? `< ${formatMs(TARGET_MS)}` : '',
          verdict: targeted ? verdict(plan.median < TARGET_MS) : '',
        },
        {
          benchmark: '1 plan',
          case: c,
          metric: 'raw git log',
          value: formatSpread(spread(gitMs), formatMs),
          target: '',
          verdict: '',
        },
        {
          benchmark: '1 plan',
          case: c,
          metric: 'plan ÷ git log',
          value: formatSpread(ratio, formatRatio),
          target: targeted ? `≤ ${TARGET_RATIO}×` : '',
          verdict: targeted ? verdict(ratio.median <= TARGET_RATIO) : '',
        },
        {
          benchmark: '1 plan',
          case: c,
          metric: 'peak RSS Δ',
          value: formatSpread(spread(memory), formatMb),
          target: '',
          verdict: '',
        },
      );
      const part = (pick: (p: Phases) => number) => spread(phases.map(pick)).median;
      const parts = {
        log: part((p) => p.logMs),
        analyse: part((p) => p.analyseMs),
        render: part((p) => p.renderMs),
      };
      const sum = parts.log + parts.analyse + parts.render;
      notes.push(
        `${c} (${runs} runs; mix ${Object.entries(history.mix)
          .sort((a, b) => b[1] - a[1])
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ')}). ` +
          `Where the plan's ${formatMs(plan.median)} goes, its parts timed on their own: the one read of the last release and the commits since it ` +
          `(\`for-each-ref\`, then one \`git log --boundary\` streamed and split into commits) ${formatMs(parts.log)} ` +
          `(the raw log alone: ${formatMs(spread(gitMs).median)}); commit analysis (one pattern for header-only messages, conventional-commits-parser for the rest, reverts) ${formatMs(parts.analyse)}; ` +
          `changelog rendering ${formatMs(parts.render)}. The parts sum to ${formatMs(sum)}; in the plan itself the analysis runs while git still writes the log, ` +
          `and the remote URL lookup (one more git process) runs beside it.`,
      );
      if (peakNotReset)
        notes.push(
          `${c}: VmHWM could not be reset here, so peak RSS Δ is getrusage's lifetime maxrss minus RSS before the plan (a lower bound).`,
        );
      if (targeted && (plan.median >= TARGET_MS || ratio.median > TARGET_RATIO))
        notes.push(...(await profilePlan(history)));
      if (targeted && temporal) {
        const comparison = await planApiComparison(history, temporal, Math.min(runs, MAX_COMPARISON_RUNS), log);
        rows.push(...comparison.rows);
        notes.push(...comparison.notes);
      }
      log(`plan: ${c}: plan ${formatSpread(plan, formatMs)}, ratio ${formatSpread(ratio, formatRatio)}`);
    } finally {
      await history.cleanup();
    }
  }
  notes.unshift(
    'Each history is `main` with a tag v1.0.0 and then N Conventional Commits touching one file, written by `git fast-import` from a seeded generator ' +
      '(feat/fix/docs/chore/perf/refactor/test/ci, 70 % with a scope, ~1 % `!`, ~1 % BREAKING CHANGE footers, bodies and trailers, ~2 % reverts naming real SHAs). ' +
      '"planRelease" is `planRelease(openGit(dir), repoConfig, { sha, date })` end to end in this process; "raw git log" is ' +
      '`git log -z --format=%H%x00%P%x00%cI%x00%an%x00%B v1.0.0..HEAD` through execa over the same range. One warm-up of each, then the runs ' +
      'interleaved with alternating order; the ratio is taken per pair. Peak RSS Δ is measured in a separate Node process: ' +
      'after a GC, its peak RSS (VmHWM) is reset through /proc/self/clear_refs, and the figure is VmHWM after one plan minus VmRSS before it.',
  );
  return { rows, notes };
}
