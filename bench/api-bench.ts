import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { ViewMemoKey } from '../vocabulary/messages.js';
import { DESCRIBE_FLOOR_PATH, startApiProcess } from './api-process.js';
import { childResult } from './child-result.js';
import type { LoadOptions, LoadResult } from './load-generator.js';
import type { ReleaseStage } from './release-stage.js';
import { verdict, type BenchResult, type Row } from './report.js';
import type { BenchSettings } from './settings.js';
import { elapsedMs, formatMs, spread } from './stats.js';
import { runWrk } from './wrk.js';

const TARGET_P99_MS = 25;
/** A state read may cost at most twice a bare describe through the same client (p99 against p99). */
const TARGET_RATIO = 2;
const SEQUENTIAL_CALLS = 30;
const WRK_PAUSE_MS = 5_000;

function load(options: LoadOptions): Promise<LoadResult> {
  return childResult<LoadResult>('load-client.js', [], { input: options, timeoutMs: options.durationMs + 120_000 });
}

async function medianOf(call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CALLS; i += 1) {
    const started = process.hrtime.bigint();
    await call();
    times.push(elapsedMs(started));
  }
  return spread(times).median;
}

/** The Temporal calls one `GET /releases/:id` makes, each timed on its own, one at a time. */
async function stateReadParts(client: Client, workflowId: string): Promise<string> {
  const release = client.workflow.getHandle(workflowId);
  const view = (await release.describe()).memo?.[ViewMemoKey] as { deploy?: { workflowId: string } | null } | undefined;
  const deployId = view?.deploy?.workflowId;
  const parts = [`describe ${formatMs(await medianOf(() => release.describe()))}`];
  if (deployId) {
    const deploy = client.workflow.getHandle(deployId);
    parts.push(`its deployment's describe ${formatMs(await medianOf(() => deploy.describe()))}`);
  }
  return parts.join(', ');
}

function loadRows(endpoint: string, result: LoadResult, connections: number, seconds: number, target: boolean): Row[] {
  const c = `${endpoint}, ${connections} conns × ${seconds} s`;
  const failed = result.errors + Object.values(result.non2xx).reduce((a, b) => a + b, 0);
  return [
    { benchmark: '3 api', case: c, metric: 'p50', value: formatMs(result.p50), target: '', verdict: '' },
    {
      benchmark: '3 api',
      case: c,
      metric: 'p99',
      value: formatMs(result.p99),
      target: target ? `< ${TARGET_P99_MS} ms` : '',
      verdict: target ? verdict(result.p99 < TARGET_P99_MS && failed === 0) : '',
    },
    {
      benchmark: '3 api',
      case: c,
      metric: 'requests/s',
      value: result.requestsPerSecond.toFixed(0),
      target: '',
      verdict: '',
    },
    {
      benchmark: '3 api',
      case: c,
      metric: 'failed / degraded',
      value: `${failed} / ${result.degraded} of ${result.requests}`,
      target: '',
      verdict: '',
    },
  ];
}

/**
 * Benchmark 3: the real API (`buildApp`) on a loopback port, against the dev server and the
 * in-process worker of benchmark 2, read by a closed-loop keep-alive load generator; API and
 * load generator each run in a process of their own.
 */
export async function apiBenchmark(
  stage: ReleaseStage,
  settings: BenchSettings,
  wrk: string | null,
  log: (line: string) => void,
): Promise<BenchResult> {
  const finished = stage.lastReleaseId();
  if (!finished) throw new Error('the API benchmark needs a finished release');
  const open = await stage.startWaitingRelease();
  const token = randomBytes(24).toString('base64url');
  const api = await startApiProcess({ config: stage.config, address: stage.address, token });
  try {
    const base = `http://127.0.0.1:${api.port}`;
    const headers = { authorization: `Bearer ${token}` };
    const urlOf = (id: string) => `${base}/releases/${encodeURIComponent(id)}`;
    const floorOf = (id: string) => `${base}${DESCRIBE_FLOOR_PATH.replace(':id', encodeURIComponent(id))}`;
    for (const id of [finished, open]) {
      const probe = await fetch(urlOf(id), { headers });
      const body = (await probe.json()) as { state?: unknown };
      if (probe.status !== 200 || !body.state)
        throw new Error(
          `GET /releases/${id} answered ${probe.status} without a state: ${JSON.stringify(body).slice(0, 300)}`,
        );
    }
    const seconds = settings.loadSeconds;
    const connections = settings.loadConnections;
    const degradedMarker = '"state":null';
    const rows: Row[] = [];
    const failures: string[] = [];
    const cases: Array<{
      name: string;
      url: string;
      headers: Record<string, string>;
      degradedMarker?: string;
      target: boolean;
      /** The case whose p99 this one's is compared with: the bare describe of the same run. */
      floor?: string;
    }> = [
      { name: 'bare describe, finished release', url: floorOf(finished), headers: {}, target: false },
      {
        name: 'GET /releases/:id finished',
        url: urlOf(finished),
        headers,
        degradedMarker,
        target: true,
        floor: 'bare describe, finished release',
      },
      { name: 'bare describe, open release', url: floorOf(open), headers: {}, target: false },
      {
        name: 'GET /releases/:id open',
        url: urlOf(open),
        headers,
        degradedMarker,
        target: true,
        floor: 'bare describe, open release',
      },
      { name: 'GET /healthz', url: `${base}/healthz`, headers: {}, target: false },
    ];
    const p99s = new Map<string, number>();
    /** Requests a second of each state read under load, for what its p99 is made of. */
    const rates = new Map<string, number>();
    for (const c of cases) {
      if (c.degradedMarker) {
        const single = await load({
          url: c.url,
          headers: c.headers,
          connections: 1,
          durationMs: 2_000,
          degradedMarker: c.degradedMarker,
        });
        rows.push({
          benchmark: '3 api',
          case: `${c.name}, 1 conn`,
          metric: 'p50',
          value: formatMs(single.p50),
          target: '',
          verdict: '',
        });
      }
      const loaded = await load({
        url: c.url,
        headers: c.headers,
        connections,
        durationMs: seconds * 1000,
        degradedMarker: c.degradedMarker,
      });
      log(
        `api: ${c.name}: p50 ${formatMs(loaded.p50)} p99 ${formatMs(loaded.p99)} ${loaded.requestsPerSecond.toFixed(0)}/s`,
      );
      rows.push(...loadRows(c.name, loaded, connections, seconds, c.target));
      p99s.set(c.name, loaded.p99);
      if (c.floor) rates.set(c.name, loaded.requestsPerSecond);
      const floor = c.floor ? p99s.get(c.floor) : undefined;
      if (floor) {
        const ratio = loaded.p99 / floor;
        rows.push({
          benchmark: '3 api',
          case: `${c.name}, ${connections} conns × ${seconds} s`,
          metric: 'p99 ÷ bare describe p99',
          value: `${ratio.toFixed(2)}×`,
          target: `≤ ${TARGET_RATIO}×`,
          verdict: verdict(ratio <= TARGET_RATIO),
        });
      }
      const statuses = Object.entries(loaded.non2xx).map(([status, count]) => `${count}× HTTP ${status}`);
      if (loaded.errors) statuses.push(`${loaded.errors} without an answer within 30 s`);
      if (statuses.length) failures.push(`${c.name}: ${statuses.join(', ')}`);
    }
    const notes = [
      `The API is \`buildApp\` (logging off) in a Node process of its own, as \`npm start\` runs it; the worker is the in-process worker of benchmark 2; ` +
        `the load generator is a third process (\`node:http\` keep-alive agent, ${connections} connections, closed loop, ${seconds} s per endpoint, ` +
        `latencies in a 1 %-bucket histogram). "finished" reads the last release of benchmark 2; "open" reads a release whose deploy command fails, so ` +
        `it waits for an operator's decision. "degraded" counts 200 answers whose \`state\` is null because a query missed the API's 5 s deadline. ` +
        `Dev server, worker, API and load generator all share this machine's ${os.availableParallelism()} cores.`,
      `One \`GET /releases/:id\` answers from what the Temporal server holds: one describe of the release, whose memo carries its view ` +
        `(and, once it returned, its result), and for a release that deploys, one describe of its deployment; no query, so no worker. A closed ` +
        `run's view is kept in the API by run ID, so a finished release costs the describe that finds its latest run. Concurrent reads of one ` +
        `run share a describe in flight. "bare describe" is the floor: a route of the benchmark's API process that only describes the run ` +
        `through the same client and answers its status. Timed one at a time — finished release: ${await stateReadParts(stage.client, finished)}; ` +
        `open release: ${await stateReadParts(stage.client, open)}; getSystemInfo (all /healthz asks) ${formatMs(await medianOf(() => stage.client.workflowService.getSystemInfo({})))}.`,
    ];
    if (rates.size) {
      const means = [...rates].map(
        ([name, rate]) => `${name}: ${rate.toFixed(0)}/s → ${formatMs((connections / rate) * 1000)} mean`,
      );
      notes.push(
        `Where a p99 above 25 ms comes from: the ${connections} connections are a closed loop, so the mean latency is connections ÷ ` +
          `throughput (Little's law) — ${means.join('; ')}. A p99 under 25 ms needs the one API process to answer well over ` +
          `${(connections / 0.025).toFixed(0)} requests a second while it shares ${os.availableParallelism()} cores with the dev server, ` +
          `the worker and the load generator; what each answer costs beyond the shared describe is Fastify serialising the view.`,
      );
    }
    if (failures.length) {
      notes.push(
        `Failed requests under load — ${failures.join('; ')}. (\`/healthz\` answers 503 when the Temporal server does not answer its probe within 2 s.)`,
      );
    }
    if (wrk) {
      const show = async (name: string, url: string, h: Record<string, string>) => {
        // wrk drops its connections at the deadline and leaves their requests to finish in the API; let them.
        await sleep(WRK_PAUSE_MS);
        const r = await runWrk(wrk, url, h, connections, seconds);
        return (
          `${name} p50 ${formatMs(r.p50)}, p99 ${formatMs(r.p99)}, ${r.requestsPerSecond.toFixed(0)} requests/s` +
          `${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.socketErrors ? ` (socket errors: ${r.socketErrors})` : ''}`
        );
      };
      const checks = [];
      for (const c of cases) checks.push(await show(c.name, c.url, c.headers));
      notes.push(
        `Cross-check with wrk (2 threads, same connections and duration, ${WRK_PAUSE_MS / 1000} s pause before each): ${checks.join('; ')}.`,
      );
    }
    return { rows, notes };
  } finally {
    await api.stop();
  }
}
