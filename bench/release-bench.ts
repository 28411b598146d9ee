import { bySubcommand, gitCensus, type GitCensus } from './git-census.js';
import type { ReleaseStage, ShipgateRelease } from './release-stage.js';
import { verdict, type BenchResult } from './report.js';
import type { BenchSettings } from './settings.js';
import { formatMs, formatRatio, formatSpread, pairedRatios, spread } from './stats.js';

const TARGET_OVERHEAD_MS = 2_000;
const TARGET_RATIO = 5;
/** git processes of the release run's own steps (pre-flight to push), its QA and deploy runs not counted. */
const TARGET_RELEASE_GIT = 12;

function overheadMs(release: ShipgateRelease): number {
  return release.totalMs - release.testMs - release.deployMs;
}

/** Median time per activity type across releases (summed within a release when a type runs twice). */
function whereTheTimeGoes(releases: readonly ShipgateRelease[], scriptMedian: number): string {
  const perType = new Map<string, number[]>();
  const outside: number[] = [];
  const pinCalls: number[] = [];
  for (const release of releases) {
    const sums = new Map<string, number>();
    for (const activity of release.activities) sums.set(activity.type, (sums.get(activity.type) ?? 0) + activity.ms);
    for (const [type, ms] of sums) perType.set(type, [...(perType.get(type) ?? []), ms]);
    outside.push(release.totalMs - [...sums.values()].reduce((a, b) => a + b, 0));
    pinCalls.push(...release.activities.filter((a) => a.type === 'pinRun').map((a) => a.ms));
  }
  const parts = [...perType.entries()]
    .map(([type, values]) => ({ type, ms: spread(values).median }))
    .sort((a, b) => b.ms - a.ms)
    .map(({ type, ms }) => `${type} ${formatMs(ms)}`);
  const median = (values: number[]) => formatMs(spread(values).median);
  const activityCount = spread(releases.map((r) => r.activities.length)).median;
  const taskCount = spread(releases.map((r) => r.workflowTaskMs.length)).median;
  const taskSum = releases.map((r) => r.workflowTaskMs.reduce((a, b) => a + b, 0));
  return (
    `Where a release's time goes, medians per release. ${activityCount} activities, each timed scheduled → completed (so including the task-queue round trip and ` +
    `the working-copy checks every activity repeats): ${parts.join(', ')}. \`pinRun\` does no I/O at all, so one call of it, ${median(pinCalls)}, is the floor ` +
    `an activity costs here. Outside any activity: ${median(outside)}, of which ${taskCount} workflow tasks across the release, QA and deploy runs take ` +
    `${median(taskSum)} (scheduled → completed, summed); the rest is starting the two child runs and the client's start and result calls. ` +
    `What the target misses by is mostly Temporal's own bookkeeping: ${activityCount} activity round trips at the floor above come to ` +
    `${formatMs(activityCount * spread(pinCalls).median)}, and the workflow tasks to ${median(taskSum)}, against the script's whole ${formatMs(scriptMedian)}; ` +
    `a release that runs QA and a deployment as child runs pays for three workflows' tasks however few git processes it starts.`
  );
}

/** Which run and activity started each git process: the activity whose scheduled → completed span holds it. */
interface Attributed {
  /** The release run's own steps. */
  release: GitCensus['calls'];
  qa: GitCensus['calls'];
  deploy: GitCensus['calls'];
  perActivity: Map<string, number>;
}

function attribute(census: GitCensus, release: ShipgateRelease): Attributed {
  const out: Attributed = { release: [], qa: [], deploy: [], perActivity: new Map() };
  for (const call of census.calls) {
    const activity = release.activities.find((a) => a.scheduledAt <= call.atMs && call.atMs <= a.completedAt);
    const run = activity?.workflowId ?? release.workflowId;
    const kind = run.startsWith('qa:') ? 'qa' : run.startsWith('deploy:') ? 'deploy' : 'release';
    out[kind].push(call);
    const key = `${kind === 'release' ? '' : `${kind} `}${activity?.type ?? 'outside any activity'}`;
    out.perActivity.set(key, (out.perActivity.get(key) ?? 0) + 1);
  }
  return out;
}

function describeCalls(calls: GitCensus['calls']): string {
  return `${calls.length} (${bySubcommand(calls)
    .map(([name, count]) => `${name} ×${count}`)
    .join(', ')})`;
}

function describeCensus(census: GitCensus): string {
  return `${census.total} (${census.bySubcommand.map(([name, count]) => `${name} ×${count}`).join(', ')})`;
}

/**
 * Benchmark 2: a whole release (QA, files, commit, tag, push, deploy, health) through the real
 * workflows, against the same git steps done by a plain script, interleaved release by release.
 */
export async function releaseBenchmark(
  stage: ReleaseStage,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<BenchResult> {
  // The first release of each compiles the worker's code paths and makes the first tag; it is not counted.
  await stage.releaseWithShipgate();
  await stage.releaseWithScript();
  const releases: ShipgateRelease[] = [];
  const scripts: number[] = [];
  for (let i = 0; i < settings.releases; i += 1) {
    if (i % 2 === 0) {
      releases.push(await stage.releaseWithShipgate());
      scripts.push(await stage.releaseWithScript());
    } else {
      scripts.push(await stage.releaseWithScript());
      releases.push(await stage.releaseWithShipgate());
    }
    const last = releases[releases.length - 1];
    log(
      `release: ${last?.version ?? '?'} in ${formatMs(last?.totalMs ?? Number.NaN)}, script ${formatMs(scripts[scripts.length - 1] ?? Number.NaN)}`,
    );
  }
  // Not timed: a shim on PATH counts the git processes of one more release of each.
  const censuses: GitCensus[] = [];
  const counted = async <T>(release: () => Promise<T>): Promise<T> => {
    const { value, census } = await gitCensus(release);
    censuses.push(census);
    return value;
  };
  const countedRelease = await stage.releaseWithShipgate(counted);
  await stage.releaseWithScript(counted);
  const [shipgateGit, scriptGit] = censuses;
  const split = shipgateGit ? attribute(shipgateGit, countedRelease) : null;
  const overheads = releases.map(overheadMs);
  const overhead = spread(overheads);
  const ratio = spread(pairedRatios(overheads, scripts));
  const c = `${releases.length} releases`;
  return {
    rows: [
      {
        benchmark: '2 release',
        case: c,
        metric: 'total wall per release',
        value: formatSpread(spread(releases.map((r) => r.totalMs)), formatMs),
        target: '',
        verdict: '',
      },
      {
        benchmark: '2 release',
        case: c,
        metric: 'test + deploy commands',
        value: formatSpread(spread(releases.map((r) => r.testMs + r.deployMs)), formatMs),
        target: '',
        verdict: '',
      },
      {
        benchmark: '2 release',
        case: c,
        metric: 'orchestration overhead',
        value: formatSpread(overhead, formatMs),
        target: `≤ ${formatMs(TARGET_OVERHEAD_MS)}`,
        verdict: verdict(overhead.median <= TARGET_OVERHEAD_MS),
      },
      {
        benchmark: '2 release',
        case: c,
        metric: 'script (git steps only)',
        value: formatSpread(spread(scripts), formatMs),
        target: '',
        verdict: '',
      },
      {
        benchmark: '2 release',
        case: c,
        metric: 'overhead ÷ script',
        value: formatSpread(ratio, formatRatio),
        target: `≤ ${TARGET_RATIO}×`,
        verdict: verdict(ratio.median <= TARGET_RATIO),
      },
      ...(split && shipgateGit
        ? [
            {
              benchmark: '2 release',
              case: c,
              metric: 'git processes: release steps (pin → push)',
              value: String(split.release.length),
              target: `≤ ${TARGET_RELEASE_GIT}`,
              verdict: verdict(split.release.length <= TARGET_RELEASE_GIT),
            },
            {
              benchmark: '2 release',
              case: c,
              metric: 'git processes: with QA and deploy runs',
              value: `${shipgateGit.total} (script ${scriptGit?.total ?? '?'})`,
              target: '',
              verdict: '' as const,
            },
          ]
        : []),
    ],
    notes: [
      'A release is started as the API starts one (`startRelease`, workflow `release:<repo>`) and timed until its result arrives: pre-flight, QA as a child run ' +
        '(test command `true`, no coverage), the version (planned by pre-flight), release files + commit + annotated tag (one step), atomic push, then the deploy child run (deploy command `true`) with one ' +
        'health sample against an in-process HTTP server that answers 200 with the expected version. **Health is set to `interval: 100ms, successes: 1`** ' +
        "(and `initialDelay` 0), so no health wait is configured into the figure. The worker is the service's own `createWorkers` pair in the benchmark process, " +
        'on the embedded dev server (in memory). Overhead is total wall time minus the `durationMs` the `runTests` and `runDeploy` activities report for the ' +
        "commands themselves, read from the runs' histories.",
      'The script does, with execa: write CHANGELOG.md, config/version.yml and context/release-number, `git add`, `git commit`, `git tag --annotate`, ' +
        '`git push --atomic` of branch and tag to a bare remote — no pre-flight, no QA bookkeeping, no version computation, no deploy report. Both ' +
        'repositories get a `fix:` commit before each release; one warm-up release of each is not counted; the two alternate order; the ratio is taken per pair.',
      whereTheTimeGoes(releases, spread(scripts).median),
      ...(shipgateGit && scriptGit
        ? [
            `git processes per release, counted in one more release of each with a logging shim on PATH: shipgate ${describeCensus(shipgateGit)}; the script ${describeCensus(scriptGit)}.`,
            ...(split
              ? [
                  `Each git process is given to the activity whose span (scheduled → completed, from the histories) holds its start. ` +
                    `The release run's own steps (pin, pre-flight with the version plan, release files + commit + tag, push): ${describeCalls(split.release)}; ` +
                    `its QA run: ${describeCalls(split.qa)}; its deploy run: ${describeCalls(split.deploy)}. Per activity: ` +
                    `${[...split.perActivity.entries()]
                      .sort((a, b) => b[1] - a[1])
                      .map(([name, count]) => `${name} ${count}`)
                      .join(', ')}.`,
                ]
              : []),
          ]
        : []),
    ],
  };
}
