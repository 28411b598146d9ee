import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { startRelease } from '../api/release-runs.js';
import { HistoryReader } from '../api/run-events.js';
import { innermostMessage } from '../api/temporal-calls.js';
import { readEventStream } from '../cli/event-stream.js';
import type { RepositoryInput } from '../config/schema.js';
import type { ReleaseResult } from '../vocabulary/messages.js';
import { startApiProcess } from './api-process.js';
import { createBenchRepo } from './bench-repo.js';
import { benchConfig, tempRoot, type TemporalEnvironment } from './environment.js';
import { verdict, type BenchResult, type Row } from './report.js';
import type { BenchSettings } from './settings.js';
import { elapsedMs, formatMb, formatMs, formatSpread, spread } from './stats.js';
import { spawnWorker, waitForWorker } from './worker-process.js';

/** "Bounded API memory": the API's peak may grow by this much over its idle RSS while it streams. */
const TARGET_GROWTH_BYTES = 200 * 1024 * 1024;
const SAMPLE_EVERY_MS = 100;
const TOKEN = 'bench-events-token';

async function rssOf(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/** One SSE subscriber: the IDs it received, run by run, in the order they came. */
interface Subscriber {
  repoId: string;
  runs: Map<string, string[]>;
  received: number;
  connected: Promise<void>;
  failure: string | null;
  abort: AbortController;
}

function subscribe(url: string, repoId: string): Subscriber {
  const abort = new AbortController();
  const subscriber: Subscriber = {
    repoId,
    runs: new Map(),
    received: 0,
    connected: Promise.resolve(),
    failure: null,
    abort,
  };
  subscriber.connected = (async () => {
    const response = await fetch(`${url}/events?repo=${repoId}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: abort.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`answered ${response.status}`);
    const body = response.body;
    void (async () => {
      for await (const event of readEventStream(body)) {
        const runId = event.id?.slice(0, event.id.indexOf(':')) ?? '';
        const ids = subscriber.runs.get(runId) ?? [];
        ids.push(event.id ?? '');
        subscriber.runs.set(runId, ids);
        subscriber.received += 1;
      }
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) subscriber.failure = innermostMessage(error);
    });
  })();
  return subscriber;
}

/** Every stream event of a run, read straight from its history: what each subscriber should have seen. */
async function expectedIds(
  temporal: TemporalEnvironment,
  workflowId: string,
  runId: string,
): Promise<{ ids: string[]; children: { workflowId: string; runId: string }[] }> {
  const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const converter = temporal.client.options.loadedDataConverter.payloadConverter;
  const reader = new HistoryReader(workflowId, runId, (payload) => converter.fromPayload(payload));
  const ids: string[] = [];
  const children: { workflowId: string; runId: string }[] = [];
  for (const event of history.events ?? []) {
    ids.push(...reader.take(event).map((made) => made.id));
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId && child.runId) children.push({ workflowId: child.workflowId, runId: child.runId });
  }
  return { ids, children };
}

/**
 * Benchmark 5: the API in its own process streams `GET /events?repo=…` to many subscribers
 * (spread evenly over the repositories) while one release per repository runs, released by one
 * worker process. Memory is the API process's, from /proc.
 */
export async function eventsBenchmark(
  temporal: TemporalEnvironment,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<BenchResult> {
  const n = settings.eventReleases;
  const count = settings.eventSubscribers;
  const temp = await tempRoot('shipgate-bench-events-');
  try {
    const repos = await Promise.all(Array.from({ length: n }, (_, i) => createBenchRepo(temp.root, `repo-${i}`)));
    const repositories: RepositoryInput[] = repos.map((repo, i) => ({
      id: `events-${i}`,
      path: repo.dir,
      test: { command: ['true'], timeout: '5m' },
      deploy: { command: ['true'], timeout: '5m', retries: 0, decisionTimeout: '1s' },
    }));
    const taskQueue = 'bench-events';
    const workerId = 'bench-events';
    const configFile = path.join(temp.root, 'shipgate.config.yaml');
    await writeFile(
      configFile,
      stringify({ dataDir: path.join(temp.root, 'data'), temporal: { taskQueue }, repositories }),
    );
    const config = benchConfig(temp.root, temporal.address, taskQueue, repositories);
    const worker = spawnWorker({
      SHIPGATE_CONFIG: configFile,
      TEMPORAL_ADDRESS: temporal.address,
      SHIPGATE_WORKER_ID: workerId,
    });
    const api = await startApiProcess({ config, address: temporal.address, token: TOKEN });
    const url = `http://127.0.0.1:${api.port}`;
    const subscribers: Subscriber[] = [];
    try {
      await waitForWorker(temporal.client, taskQueue, workerId, worker);
      await sleep(2_000);
      const rssIdle = await rssOf(api.pid, 'VmRSS');

      const connectStart = process.hrtime.bigint();
      for (let i = 0; i < count; i++) subscribers.push(subscribe(url, `events-${i % n}`));
      await Promise.all(subscribers.map((s) => s.connected));
      const connectMs = elapsedMs(connectStart);
      await sleep(2_000);
      const rssSubscribed = await rssOf(api.pid, 'VmRSS');
      log(
        `events: ${count} subscribers connected in ${formatMs(connectMs)}, API RSS ${formatMb(rssIdle)} → ${formatMb(rssSubscribed)}`,
      );

      let rssPeak = rssSubscribed;
      const sampler = setInterval(() => {
        void rssOf(api.pid, 'VmRSS').then((rss) => {
          if (rss > rssPeak) rssPeak = rss;
        });
      }, SAMPLE_EVERY_MS);
      const failures: string[] = [];
      const releaseMs: number[] = [];
      let runs: { workflowId: string; runId: string }[] = [];
      const started = process.hrtime.bigint();
      try {
        runs = await Promise.all(
          config.repositories.map((repo) => startRelease({ config, client: temporal.client }, repo, {})),
        );
        await Promise.all(
          runs.map(async ({ workflowId, runId }) => {
            const result = (await temporal.client.workflow.getHandle(workflowId, runId).result()) as ReleaseResult;
            releaseMs.push(elapsedMs(started));
            if (result.outcome !== 'deployed') failures.push(`${workflowId}: ${result.outcome} ${result.reason}`);
          }),
        );
        // Each subscriber gets the release's close a moment after the release returns.
        const closeIds = new Map<string, string>();
        for (const run of runs) {
          const { ids } = await expectedIds(temporal, run.workflowId, run.runId);
          closeIds.set(run.workflowId.slice('release:'.length), ids.at(-1) ?? '');
        }
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const waiting = subscribers.filter((s) => {
            const last = closeIds.get(s.repoId) ?? '';
            return !s.runs.get(last.slice(0, last.indexOf(':')))?.includes(last) && s.failure === null;
          });
          if (waiting.length === 0) break;
          await sleep(200);
        }
      } finally {
        clearInterval(sampler);
      }
      const wallMs = elapsedMs(started);
      const hwm = await rssOf(api.pid, 'VmHWM');

      // The reference: every run of each repository (the release and the runs it started), from history.
      const expected = new Map<string, Map<string, string[]>>();
      for (const run of runs) {
        const repoId = run.workflowId.slice('release:'.length);
        const perRun = new Map<string, string[]>();
        const pending = [run];
        while (pending.length > 0) {
          const next = pending.shift()!;
          const { ids, children } = await expectedIds(temporal, next.workflowId, next.runId);
          perRun.set(next.runId, ids);
          pending.push(...children);
        }
        expected.set(repoId, perRun);
      }
      let missedOrReordered = 0;
      let expectedEvents = 0;
      const examples: string[] = [];
      for (const s of subscribers) {
        const perRun = expected.get(s.repoId) ?? new Map<string, string[]>();
        let ok = s.failure === null;
        for (const [runId, ids] of perRun) {
          expectedEvents += ids.length;
          const got = s.runs.get(runId) ?? [];
          if (got.join() !== ids.join()) {
            ok = false;
            if (examples.length < 3)
              examples.push(`${s.repoId} run ${runId}: expected ${ids.length} events, got ${got.length}`);
          }
        }
        if (!ok) missedOrReordered += 1;
      }
      const delivered = subscribers.reduce((sum, s) => sum + s.received, 0);
      const perSubscriber = spread(subscribers.map((s) => s.received));
      log(
        `events: ${delivered} events delivered, ${missedOrReordered} subscribers missed or reordered, API peak ${formatMb(hwm)}`,
      );

      const c = `${count} subscribers, ${n} releases`;
      const row = (metric: string, value: string, target = '', hit: boolean | null = null): Row => ({
        benchmark: '5 events',
        case: c,
        metric,
        value,
        target,
        verdict: hit === null ? '' : verdict(hit),
      });
      const rows: Row[] = [
        row('API RSS idle', formatMb(rssIdle)),
        row('API RSS, subscribers connected', `${formatMb(rssSubscribed)} (+${formatMb(rssSubscribed - rssIdle)})`),
        row(
          'API peak RSS (VmHWM), Δ vs idle',
          `${formatMb(hwm)} (+${formatMb(hwm - rssIdle)})`,
          `< +${formatMb(TARGET_GROWTH_BYTES)}`,
          hwm - rssIdle < TARGET_GROWTH_BYTES,
        ),
        row('events delivered', `${delivered} of ${expectedEvents}`, `${expectedEvents}`, delivered === expectedEvents),
        row(
          'events per subscriber',
          formatSpread(perSubscriber, (v) => v.toFixed(0)),
        ),
        row('subscribers that missed or reordered an event', String(missedOrReordered), '0', missedOrReordered === 0),
        row('release wall time', formatSpread(spread(releaseMs), formatMs)),
        row('failed releases', String(failures.length), '0', failures.length === 0),
      ];
      const notes = [
        `${n} repositories (a working copy with one \`feat:\` commit and its own bare remote; test and deploy commands \`true\`), one worker process ` +
          `(\`dist/worker/main.js\`) and the API in its own process (\`buildApp\`). ${count} subscribers open \`GET /events?repo=<repo>\` over real ` +
          `sockets from this process, ${count / n} per repository, before the releases start (all connected in ${formatMs(connectMs)}); then one release ` +
          `per repository starts at once (QA child, release steps, deployment). The reference for "every event of its run, in order" is each run's ` +
          `history read afterwards through the same HistoryReader: a subscriber counts as missing or reordering when, for any run of its repository ` +
          `(the release, its QA run, its deployment), the IDs it received differ from the reference in any way. API memory is /proc/<pid>/status: RSS ` +
          `idle (no subscriber) and with the subscribers connected, sampled every ${SAMPLE_EVERY_MS} ms while the releases ran (highest ${formatMb(rssPeak)}), ` +
          `and VmHWM over the process's life. All ${n} releases finished in ${formatMs(wallMs)} (to the last subscriber's last event).`,
        "The API keeps one follower per run (a long poll of its history, `waitNewEvent`), shared by all the run's subscribers, and one visibility " +
          'list call per repository about once a second while someone listens to it; so the number of Temporal calls grows with the runs, not the subscribers.',
      ];
      if (examples.length > 0) notes.push(`Differences: ${examples.join('; ')}.`);
      if (failures.length > 0) notes.push(`Failed releases: ${failures.slice(0, 3).join('; ')}.`);
      return { rows, notes };
    } finally {
      for (const s of subscribers) s.abort.abort();
      await api.stop();
      await worker.stop();
    }
  } finally {
    await temp.remove();
  }
}
