import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { startRelease } from '../api/release-runs.js';
import { innermostMessage } from '../api/temporal-calls.js';
import type { RepositoryInput } from '../config/schema.js';
import type { ReleaseResult } from '../vocabulary/messages.js';
import { createBenchRepo } from './bench-repo.js';
import { benchConfig, tempRoot, type TemporalEnvironment } from './environment.js';
import { verdict, type BenchResult, type Row } from './report.js';
import type { BenchSettings } from './settings.js';
import { elapsedMs, formatMb, formatMs } from './stats.js';
import type { MemorySample } from './memory-probe.js';
import { memorySamples, spawnWorker, waitForWorker } from './worker-process.js';

const TARGET_N = 100;
const TARGET_RSS_BYTES = 500 * 1024 * 1024;
const SAMPLE_EVERY_MS = 100;

interface Round {
  n: number;
  wallMs: number;
  failures: string[];
  rssReady: number;
  rssPeakDuring: number;
  hwm: number;
  /** What the worker reported about itself when ready, and at its highest RSS. */
  ready: MemorySample | null;
  peak: MemorySample | null;
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += size) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, k) => make(start + k)))));
  }
  return made;
}

async function round(temporal: TemporalEnvironment, n: number, log: (line: string) => void): Promise<Round> {
  const temp = await tempRoot(`shipgate-bench-many-${n}-`);
  try {
    const repos = await inBatches(n, 8, (i) => createBenchRepo(temp.root, `repo-${i}`));
    const repositories: RepositoryInput[] = repos.map((repo, i) => ({
      id: `many-${i}`,
      path: repo.dir,
      test: { command: ['true'], timeout: '5m' },
      deploy: { command: ['true'], timeout: '5m', retries: 0, decisionTimeout: '1s' },
    }));
    const taskQueue = `bench-many-${n}`;
    const workerId = `bench-many-${n}`;
    const configFile = path.join(temp.root, 'shipgate.config.yaml');
    await writeFile(
      configFile,
      stringify({ dataDir: path.join(temp.root, 'data'), temporal: { taskQueue }, repositories }),
    );
    const config = benchConfig(temp.root, temporal.address, taskQueue, repositories);

    const memoryLog = path.join(temp.root, 'worker-memory.jsonl');
    const worker = spawnWorker(
      { SHIPGATE_CONFIG: configFile, TEMPORAL_ADDRESS: temporal.address, SHIPGATE_WORKER_ID: workerId },
      memoryLog,
    );
    try {
      await waitForWorker(temporal.client, taskQueue, workerId, worker);
      const rssReady = (await worker.memory('VmRSS')) ?? Number.NaN;
      const ready = (await memorySamples(memoryLog))?.latest ?? null;
      let rssPeakDuring = rssReady;
      const sampler = setInterval(() => {
        void worker.memory('VmRSS').then((rss) => {
          if (rss !== null && rss > rssPeakDuring) rssPeakDuring = rss;
        });
      }, SAMPLE_EVERY_MS);
      const started = process.hrtime.bigint();
      const failures: string[] = [];
      try {
        const runs = await Promise.all(
          config.repositories.map((repo) => startRelease({ config, client: temporal.client }, repo, {})),
        );
        // Generous: a release that has not finished by then is a failure, and is terminated below.
        const deadline = Date.now() + Math.max(300_000, n * 6_000);
        const settled = await Promise.allSettled(
          runs.map(({ workflowId, runId }) => {
            const handle = temporal.client.workflow.getHandle(workflowId, runId);
            return Promise.race([
              handle.result() as Promise<ReleaseResult>,
              new Promise<never>((_, reject) =>
                setTimeout(
                  () => reject(new Error('did not finish in time')),
                  Math.max(0, deadline - Date.now()),
                ).unref(),
              ),
            ]).catch(async (error: unknown) => {
              await handle.terminate('benchmark deadline').catch(() => undefined);
              throw error;
            });
          }),
        );
        for (const outcome of settled) {
          if (outcome.status === 'rejected') failures.push(innermostMessage(outcome.reason));
          else if (outcome.value.outcome !== 'deployed')
            failures.push(`${outcome.value.outcome}: ${outcome.value.reason}`);
        }
      } finally {
        clearInterval(sampler);
      }
      const wallMs = elapsedMs(started);
      const hwm = (await worker.memory('VmHWM')) ?? Number.NaN;
      log(`many: ${n} releases in ${formatMs(wallMs)}, ${failures.length} failed, worker peak ${formatMb(hwm)}`);
      return {
        n,
        wallMs,
        failures,
        rssReady,
        rssPeakDuring,
        hwm,
        ready,
        peak: (await memorySamples(memoryLog))?.peak ?? null,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await temp.remove();
  }
}

/** `rss − heapTotal − external`: the workflow threads' isolates, the Rust core, code and other native memory. */
function beyondMainHeap(sample: MemorySample): number {
  return sample.rss - sample.heapTotal - sample.external;
}

function signedMb(bytes: number): string {
  return `${bytes < 0 ? '−' : '+'}${formatMb(Math.abs(bytes))}`;
}

function describePeak(ready: MemorySample | null, peak: MemorySample | null): string {
  if (!peak) return '';
  // The SDK's own default for reuseV8Context workers (worker-options.js), from the main heap limit.
  const cacheSize = Math.max(Math.floor((Math.max(peak.heapLimit / 1024 / 1024 - 200, 0) * 600) / 1024), 10);
  const growth = ready
    ? ` From ready to that peak the main heap changed by ${signedMb(peak.heapTotal - ready.heapTotal)}` +
      `${peak.heapTotal < ready.heapTotal ? ' (the garbage of bundling the workflow code was collected meanwhile)' : ''} ` +
      `and the rest by ${signedMb(beyondMainHeap(peak) - beyondMainHeap(ready))}.`
    : '';
  return (
    ` At the highest RSS the worker saw in itself (${formatMb(peak.rss)}): main-thread V8 heap ${formatMb(peak.heapTotal)} allocated ` +
    `(${formatMb(peak.heapUsed)} in use), ${formatMb(peak.external)} external to it, and ${formatMb(beyondMainHeap(peak))} beyond both — the ` +
    `workflow thread's own V8 isolate, the Rust core, code and native allocations.${growth} With the default maxCachedWorkflows, ${cacheSize} ` +
    `here (from the ${formatMb(peak.heapLimit)} heap limit), none of the runs (a release, a QA and a deploy run per repository) is evicted from ` +
    'the sticky cache while the round lasts.'
  );
}

/**
 * Benchmark 4: N repositories, each with its own bare remote, released at once by one worker
 * process (`dist/worker/main.js`, default concurrency), its memory read from /proc.
 */
export async function concurrentBenchmark(
  temporal: TemporalEnvironment,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const n of settings.concurrency) {
    const r = await round(temporal, n, log);
    const targeted = n === TARGET_N;
    const c = `${n} at once`;
    rows.push(
      { benchmark: '4 many', case: c, metric: 'wall time', value: formatMs(r.wallMs), target: '', verdict: '' },
      {
        benchmark: '4 many',
        case: c,
        metric: 'releases/min',
        value: (n / (r.wallMs / 60_000)).toFixed(0),
        target: '',
        verdict: '',
      },
      {
        benchmark: '4 many',
        case: c,
        metric: 'failures',
        value: String(r.failures.length),
        target: targeted ? '0' : '',
        verdict: targeted ? verdict(r.failures.length === 0) : '',
      },
      {
        benchmark: '4 many',
        case: c,
        metric: 'worker peak RSS (VmHWM)',
        value: formatMb(r.hwm),
        target: targeted ? `< ${formatMb(TARGET_RSS_BYTES)}` : '',
        verdict: targeted ? verdict(r.hwm < TARGET_RSS_BYTES) : '',
      },
    );
    notes.push(
      `${c}: worker RSS ${formatMb(r.rssReady)} when ready (workflow code bundled), highest sampled VmRSS while releasing ${formatMb(r.rssPeakDuring)}, VmHWM over its life ${formatMb(r.hwm)}.${describePeak(r.ready, r.peak)}`,
    );
    if (r.failures.length > 0) {
      const causes = new Map<string, number>();
      for (const failure of r.failures) causes.set(failure.slice(0, 300), (causes.get(failure.slice(0, 300)) ?? 0) + 1);
      notes.push(
        `${c}: failures by cause — ${[...causes.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([cause, count]) => `${count}× ${cause}`)
          .join('; ')}`,
      );
    }
  }
  notes.unshift(
    'Each round makes N repositories (working copy on `main` with one `feat:` commit, its own bare remote), writes a configuration file, starts a fresh ' +
      "worker process with `dist/worker/main.js` (default concurrency: the SDK's defaults for both workers), waits until it polls, then starts N releases " +
      'at once through `startRelease` and times until the last result. Each release runs QA (test command `true`), the release steps, and a deploy ' +
      '(command `true`, no health check). A failure is any release that did not end `deployed`. Memory is the worker process only, from ' +
      '`/proc/<pid>/status`: VmHWM is its peak over its whole life (including bundling the workflow code at start), VmRSS is sampled every 100 ms; ' +
      'the worker is started with `node --import memory-probe.js`, which only appends `process.memoryUsage()` to a file every 100 ms.',
  );
  return { rows, notes };
}
