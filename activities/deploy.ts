import path from 'node:path';
import { Context } from '@temporalio/activity';
import { renderDeployReport, type DeployReportInput } from '../domain/deploy-report.js';
import type { HealthSample } from '../vocabulary/messages.js';
import type { RepoConfig } from '../config/types.js';
import type { ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';
import { checkoutTag } from './checkout.js';
import { lastReleaseTag, resolveCommit } from './git.js';
import { probeOnce } from './health.js';
import { runCommand } from './process.js';
import { checkRelease } from './released.js';
import { findReportOfRun, writeReportFile } from './reports.js';
import { withEnvironment } from '../config/environments.js';
import { openWorkingCopy, repoOrFail } from './working-copy.js';

export interface ResolvedRelease {
  version: string;
  tag: string;
  sha: string;
  previous: { version: string; tag: string } | null;
}

export interface DeployAttempt {
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  spawnError: string | null;
  durationMs: number;
  tail: string[];
  logFile: string;
  reason: string;
}

/** The deploy settings of a repository; a step of a deployment refuses one that has none. */
function deployable(repo: RepoConfig): NonNullable<RepoConfig['deploy']> {
  if (!repo.deploy)
    throw activityFailure('SHIPGATE_NOT_DEPLOYABLE', `repository "${repo.id}" has no deploy command configured`);
  return repo.deploy;
}

export function createDeployActivities(deps: ResolvedDeps) {
  return {
    /** The release a version names: its tag and commit, and the release before it; refused unless shipgate released it. */
    async resolveRelease(input: { repoId: string; version: string; environment?: string }): Promise<ResolvedRelease> {
      // Fetched: the release may have been pushed by another worker, and the gate reads the remote branch.
      const { repo, dir, git } = await openWorkingCopy(deps, input.repoId, { fetch: true });
      deployable(withEnvironment(repo, input.environment));
      // The durable gate: however this run was started, only a version shipgate released deploys.
      const released = await checkRelease(dir, repo, input.version, deps.reportKeys);
      if (!released.ok) throw activityFailure(released.code, released.reason);
      const { tag, sha } = released;
      const previous = await lastReleaseTag(git, `${sha}^`, repo).catch(() => null);
      return {
        version: input.version,
        tag,
        sha,
        previous: previous ? { version: previous.version, tag: previous.tag } : null,
      };
    },

    async runDeploy(input: {
      repoId: string;
      version: string;
      tag: string;
      sha: string;
      previousVersion: string | null;
      attempt: number;
      runId: string;
      /** The environment deployed to; absent: the first, as runs started before environments. */
      environment?: string;
    }): Promise<DeployAttempt> {
      let source = await openWorkingCopy(deps, input.repoId, { fetch: false });
      // A deployment that moved here from a lost worker may find this worker's clone without the tag.
      if (source.repo.source.kind === 'url' && (await resolveCommit(source.git, input.sha)) !== input.sha)
        source = await openWorkingCopy(deps, input.repoId, { fetch: true });
      // Each environment runs its own command with its own env, named in SHIPGATE_ENVIRONMENT.
      const repo = withEnvironment(source.repo, input.environment);
      const deploy = deployable(repo);
      // A named environment has its own checkout: two environments may deploy the same tag at once,
      // and the clean of one would otherwise pull the files from under the other's command.
      const dir = await checkoutTag(deps, source, input.tag, input.sha, [
        'deploy',
        ...(input.environment ? [input.environment] : []),
      ]);
      const logFile = path.join(
        deps.config.dataDir,
        'logs',
        repo.id,
        `deploy-${input.version}-${input.runId.slice(0, 8)}-${input.attempt}.log`,
      );
      const ctx = Context.current();
      const result = await runCommand({
        argv: deploy.command,
        cwd: dir,
        env: {
          ...deploy.env,
          SHIPGATE_REPO: repo.id,
          SHIPGATE_ENVIRONMENT: deploy.environment,
          SHIPGATE_VERSION: input.version,
          SHIPGATE_TAG: input.tag,
          SHIPGATE_SHA: input.sha,
          SHIPGATE_PREVIOUS_VERSION: input.previousVersion ?? '',
        },
        timeoutMs: deploy.timeoutMs,
        logFile,
        signal: ctx.cancellationSignal,
        onProgress: (tail) => ctx.heartbeat({ tail }),
        progressEveryMs: 2_000,
        reapGroupOnExit: false,
      });
      if (result.cancelled) throw activityFailure('SHIPGATE_CANCELLED', 'the deployment was cancelled');
      const ok = result.exitCode === 0 && !result.timedOut && !result.spawnError;
      const reason = ok
        ? 'the deploy command succeeded'
        : result.spawnError
          ? `the deploy command could not be started: ${result.spawnError}`
          : result.timedOut
            ? `the deploy command timed out after ${Math.round(deploy.timeoutMs / 1000)}s and was killed`
            : `the deploy command exited with ${result.exitCode ?? result.signal}`;
      return {
        ok,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        spawnError: result.spawnError,
        durationMs: result.durationMs,
        tail: result.tail.slice(-20),
        logFile,
        reason,
      };
    },

    async probeHealth(input: {
      repoId: string;
      expectedVersion: string | null;
      environment?: string;
    }): Promise<HealthSample> {
      const repo = withEnvironment(repoOrFail(deps.config, input.repoId), input.environment);
      if (!repo.health)
        return { at: deps.now().toISOString(), status: null, latencyMs: 0, version: null, ok: true, error: null };
      return probeOnce(repo.health, input.expectedVersion, deps.now);
    },

    async writeDeployReport(input: Omit<DeployReportInput, 'createdAt'>): Promise<{ name: string }> {
      const { dir } = await openWorkingCopy(deps, input.repoId, { fetch: false });
      const existing = await findReportOfRun(dir, input.runId, ['deploy'], deps.reportKeys);
      if (existing) return { name: existing };
      const at = deps.now();
      return {
        name: await writeReportFile(
          dir,
          'deploy',
          at,
          renderDeployReport({ ...input, createdAt: at.toISOString() }),
          deps.reportKeys,
        ),
      };
    },
  };
}

export type DeployActivities = ReturnType<typeof createDeployActivities>;
