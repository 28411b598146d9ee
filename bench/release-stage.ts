import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { stringify } from 'yaml';
import { startRelease } from '../api/release-runs.js';
import type { ShipgateConfig } from '../config/types.js';
import { prependChangelog } from '../domain/changelog.js';
import { deployStateQuery, workflowIdFor, type ReleaseResult } from '../vocabulary/messages.js';
import { createBenchRepo, type BenchRepo } from './bench-repo.js';
import {
  benchConfig,
  startInProcessWorker,
  tempRoot,
  type InProcessWorker,
  type TemporalEnvironment,
} from './environment.js';
import { startHealthServer } from './health-server.js';
import { commandMs, runTreeTimings, type ActivityTiming } from './run-history.js';
import { elapsedMs } from './stats.js';

export const RELEASE_REPO_ID = 'bench-release';
const WAITING_REPO_ID = 'bench-waiting';
const RELEASE_TIMEOUT_MS = 180_000;

export interface ShipgateRelease {
  workflowId: string;
  version: string;
  totalMs: number;
  testMs: number;
  deployMs: number;
  activities: ActivityTiming[];
  workflowTaskMs: number[];
}

/**
 * A repository released by shipgate through an in-process worker on the embedded dev server,
 * with trivial test and deploy commands and health pointed at an in-process always-200 server;
 * beside it an identical repository that the "script" releases with plain git commands.
 */
export interface ReleaseStage {
  config: ShipgateConfig;
  /** The dev server's gRPC address. */
  address: string;
  client: Client;
  /**
   * Commits a fix (except before the first release) and releases it with shipgate; `around`
   * wraps the release alone, not the fix commit.
   */
  releaseWithShipgate(around?: Around): Promise<ShipgateRelease>;
  /** The same for the script; resolves with the milliseconds its release steps took. */
  releaseWithScript(around?: Around): Promise<number>;
  /** ID of the last finished shipgate release. */
  lastReleaseId(): string | null;
  /**
   * Starts a release whose deploy command fails, and resolves with its ID once its deployment
   * waits for an operator: an open run, cached on the worker. `stop` terminates it.
   */
  startWaitingRelease(): Promise<string>;
  stop(): Promise<void>;
}

type Around = <T>(release: () => Promise<T>) => Promise<T>;
const direct: Around = (release) => release();

function expectedVersion(index: number): string {
  return index === 0 ? '1.0.0' : `1.0.${index}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a release script does by hand: the release files, one commit, an annotated tag, one atomic push. */
async function scriptRelease(repo: BenchRepo, version: string, subject: string): Promise<void> {
  const tag = `v${version}`;
  const entry = `## ${version} (${new Date().toISOString().slice(0, 10)})\n\n### Bug Fixes\n\n* ${subject}\n`;
  const changelog = path.join(repo.dir, 'CHANGELOG.md');
  const existing = await readFile(changelog, 'utf8').catch(() => null);
  await writeFile(changelog, prependChangelog(existing, entry));
  await mkdir(path.join(repo.dir, 'config'), { recursive: true });
  await mkdir(path.join(repo.dir, 'context'), { recursive: true });
  await writeFile(
    path.join(repo.dir, 'config', 'version.yml'),
    stringify({ version, released_at: new Date().toISOString(), tag }),
  );
  await writeFile(path.join(repo.dir, 'context', 'release-number'), `${version}\n`);
  await repo.git('add', '--', 'CHANGELOG.md', 'config/version.yml', 'context/release-number');
  await repo.git('commit', '--quiet', '--no-verify', '-m', `chore(release): ${tag}`);
  await repo.git('tag', '--annotate', '--cleanup=verbatim', '--message', entry, '--', tag);
  await repo.git('push', '--atomic', '--quiet', 'origin', 'main', `refs/tags/${tag}`);
}

export async function startReleaseStage(temporal: TemporalEnvironment): Promise<ReleaseStage> {
  const temp = await tempRoot('shipgate-bench-release-');
  const health = await startHealthServer();
  let worker: InProcessWorker | null = null;
  try {
    const shipgateRepo = await createBenchRepo(temp.root, 'shipgate');
    const scriptRepo = await createBenchRepo(temp.root, 'script');
    const waitingRepo = await createBenchRepo(temp.root, 'waiting');
    const config = benchConfig(temp.root, temporal.address, 'bench-release', [
      {
        id: RELEASE_REPO_ID,
        path: shipgateRepo.dir,
        test: { command: ['true'], timeout: '1m' },
        deploy: { command: ['true'], timeout: '1m', retries: 0, decisionTimeout: '1s' },
        // The only wait inside a release that is configured rather than measured: one sample suffices.
        health: {
          url: health.url,
          interval: '100ms',
          successes: 1,
          failureBudget: 2,
          deadline: '10s',
          requestTimeout: '2s',
          version: { jsonField: 'version' },
        },
      },
      {
        id: WAITING_REPO_ID,
        path: waitingRepo.dir,
        test: { command: ['true'], timeout: '1m' },
        deploy: { command: ['false'], timeout: '1m', retries: 0, decisionTimeout: '30m' },
      },
    ]);
    const [repo, waiting] = config.repositories;
    if (!repo || !waiting) throw new Error('the release benchmark has no repository');
    worker = await startInProcessWorker(config, temporal.address, 'bench');
    const running = worker;
    let shipgateReleases = 0;
    let scriptReleases = 0;
    let last: string | null = null;
    let open: { workflowId: string; runId: string } | null = null;
    return {
      config,
      address: temporal.address,
      client: temporal.client,
      async releaseWithShipgate(around = direct) {
        const index = shipgateReleases++;
        if (index > 0) await shipgateRepo.commit(`fix: change ${index}`, `src/change-${index}.txt`, `${index}\n`);
        const version = expectedVersion(index);
        health.serve(version);
        const started = process.hrtime.bigint();
        const { workflowId, runId, result } = await around(async () => {
          const run = await startRelease({ config, client: temporal.client }, repo, {});
          const handle = temporal.client.workflow.getHandle(run.workflowId, run.runId);
          return {
            ...run,
            result: await withTimeout(
              handle.result() as Promise<ReleaseResult>,
              RELEASE_TIMEOUT_MS,
              `release ${version}`,
            ),
          };
        });
        const totalMs = elapsedMs(started);
        if (result.outcome !== 'deployed' || result.version !== version) {
          throw new Error(
            `release ${index} ended ${result.outcome} at ${result.version ?? 'no version'} (expected deployed ${version}): ${result.reason}`,
          );
        }
        last = workflowId;
        const { activities, workflowTaskMs } = await runTreeTimings(temporal.client, workflowId, runId);
        return {
          workflowId,
          version,
          totalMs,
          testMs: commandMs(activities, 'runTests'),
          deployMs: commandMs(activities, 'runDeploy'),
          activities,
          workflowTaskMs,
        };
      },
      async releaseWithScript(around = direct) {
        const index = scriptReleases++;
        const subject = `change ${index}`;
        if (index > 0) await scriptRepo.commit(`fix: ${subject}`, `src/change-${index}.txt`, `${index}\n`);
        const started = process.hrtime.bigint();
        await around(() => scriptRelease(scriptRepo, expectedVersion(index), subject));
        return elapsedMs(started);
      },
      lastReleaseId: () => last,
      async startWaitingRelease() {
        open = await startRelease({ config, client: temporal.client }, waiting, {});
        const deploy = temporal.client.workflow.getHandle(workflowIdFor('deploy', waiting.id, 'production'));
        const deadline = Date.now() + RELEASE_TIMEOUT_MS;
        while (Date.now() < deadline) {
          const state = await deploy.query(deployStateQuery).catch(() => null);
          if (state?.awaitingDecision) return open.workflowId;
          await sleep(200);
        }
        throw new Error(
          `the release of ${waiting.id} did not come to wait for a decision within ${RELEASE_TIMEOUT_MS / 1000} s`,
        );
      },
      async stop() {
        // Terminating the release terminates its deployment too (the child's default parent-close policy).
        if (open)
          await temporal.client.workflow
            .getHandle(open.workflowId, open.runId)
            .terminate('benchmark finished')
            .catch(() => undefined);
        await running.stop();
        await health.close();
        await temp.remove();
      },
    };
  } catch (error) {
    await worker?.stop();
    await health.close();
    await temp.remove();
    throw error;
  }
}
