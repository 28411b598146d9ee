import path from 'node:path';
import { Context } from '@temporalio/activity';
import { execa } from 'execa';
import type { PublishStepConfig, RepoConfig } from '../config/types.js';
import { artifactOf, checkSaysPublished, publishValues, substituteArgv } from '../domain/publish.js';
import { checkoutTag } from './checkout.js';
import type { ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';
import { resolveCommit } from './git.js';
import { runCommand } from './process.js';
import { openWorkingCopy } from './working-copy.js';

export interface PublishStepInput {
  repoId: string;
  /** The step's name; its command, check and env come from this worker's configuration alone. */
  step: string;
  version: string;
  tag: string;
  sha: string;
  previousVersion: string | null;
  /** Which decision round this is (1 for the first, 2 after one retry decision…), for the log file's name. */
  round: number;
  runId: string;
}

export interface PublishStepResult {
  /** `already-published`: the check found the version, and the command was not run. */
  status: 'published' | 'already-published';
  artifact: string;
  tail: string[];
  logFile: string | null;
  durationMs: number;
  /** The activity attempt that succeeded (1: the first). */
  attempt: number;
}

/** The check's bound: it asks a registry one question, so a minute is ample unless the step's timeout is shorter. */
const CHECK_TIMEOUT_MS = 60_000;

function stepOrFail(repo: RepoConfig, name: string): PublishStepConfig {
  const step = repo.publish.find((s) => s.name === name);
  if (!step)
    throw activityFailure(
      'SHIPGATE_REPO_UNAVAILABLE',
      `repository "${repo.id}" has no publish step "${name}" in this worker's configuration`,
    );
  return step;
}

export function createPublishActivities(deps: ResolvedDeps) {
  return {
    /**
     * One attempt at one publish step, in a clean checkout of the tag: the check first (a version
     * already there is not published again, whichever attempt, retry or worker put it there), then
     * the command, then the check again, so a command that exits 0 without publishing fails. A
     * failure is SHIPGATE_PUBLISH_FAILED, retried by Temporal with backoff up to the step's
     * `retries`; then the release asks a person.
     */
    async publishStep(input: PublishStepInput): Promise<PublishStepResult> {
      let source = await openWorkingCopy(deps, input.repoId, { fetch: false });
      // A release that moved here from a lost worker may find this worker's clone without the tag.
      if (source.repo.source.kind === 'url' && (await resolveCommit(source.git, input.sha)) !== input.sha)
        source = await openWorkingCopy(deps, input.repoId, { fetch: true });
      const repo = source.repo;
      const step = stepOrFail(repo, input.step);
      const values = publishValues({ ...input, repoId: repo.id });
      const artifact = artifactOf(step, values);
      const env = { ...step.env, ...values, SHIPGATE_PUBLISH_STEP: step.name };
      const dir = await checkoutTag(deps, source, input.tag, input.sha, ['publish']);
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const started = Date.now();
      const fields = { repoId: repo.id, step: step.name, version: input.version, artifact, attempt };

      const check = async (): Promise<{ published: boolean; said: string }> => {
        if (!step.check) return { published: false, said: 'no check configured' };
        const answer = await execa(step.check[0]!, substituteArgv(step.check.slice(1), values), {
          cwd: dir,
          env: { ...env, CI: 'true', FORCE_COLOR: '0' },
          extendEnv: true,
          stdin: 'ignore',
          reject: false,
          timeout: Math.min(CHECK_TIMEOUT_MS, step.timeoutMs),
          cancelSignal: ctx.cancellationSignal,
          maxBuffer: 1_000_000,
        });
        const stdout = typeof answer.stdout === 'string' ? answer.stdout : '';
        const published = checkSaysPublished({ exitCode: answer.exitCode ?? null, timedOut: answer.timedOut, stdout });
        const said = (stdout.trim() || (typeof answer.stderr === 'string' ? answer.stderr.trim() : '')).slice(0, 300);
        return { published, said: `exit ${answer.exitCode ?? answer.signal ?? '?'}${said ? `: ${said}` : ''}` };
      };

      const before = await check();
      if (before.published) {
        deps.logger.info({ ...fields, check: before.said }, 'publish step: already published, command not run');
        return {
          status: 'already-published',
          artifact,
          tail: [],
          logFile: null,
          durationMs: Date.now() - started,
          attempt,
        };
      }
      const logFile = path.join(
        deps.config.dataDir,
        'logs',
        repo.id,
        `publish-${step.name}-${input.version}-${input.runId.slice(0, 8)}-${input.round}-${attempt}.log`,
      );
      deps.logger.info({ ...fields, logFile }, 'publish step: running its command');
      const result = await runCommand({
        argv: substituteArgv(step.command, values),
        cwd: dir,
        env,
        timeoutMs: step.timeoutMs,
        logFile,
        signal: ctx.cancellationSignal,
        onProgress: (tail) => ctx.heartbeat({ tail }),
        progressEveryMs: 2_000,
        // A publish command starts nothing that should outlive it.
        reapGroupOnExit: true,
      });
      if (result.cancelled) throw activityFailure('SHIPGATE_CANCELLED', 'the publish step was cancelled');
      const tail = result.tail.slice(-20);
      const fail = (reason: string) => {
        deps.logger.warn({ ...fields, logFile, reason }, 'publish step failed');
        return activityFailure('SHIPGATE_PUBLISH_FAILED', `publish step "${step.name}" (${artifact}): ${reason}`, {
          details: [{ tail, logFile, attempt }],
        });
      };
      if (result.spawnError) throw fail(`the command could not be started: ${result.spawnError}`);
      if (result.timedOut)
        throw fail(`the command timed out after ${Math.round(step.timeoutMs / 1000)}s and was killed`);
      if (result.exitCode !== 0) throw fail(`the command exited with ${result.exitCode ?? result.signal}`);
      if (step.check) {
        const after = await check();
        if (!after.published)
          throw fail(`the command exited 0, but the check does not find ${artifact} published (${after.said})`);
      }
      deps.logger.info({ ...fields, logFile, durationMs: result.durationMs }, 'publish step: published');
      return { status: 'published', artifact, tail, logFile, durationMs: Date.now() - started, attempt };
    },
  };
}

export type PublishActivities = ReturnType<typeof createPublishActivities>;
