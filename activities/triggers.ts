import { branchOf } from '../domain/branches.js';
import { TRIGGER_BOTS, type Trigger } from '../vocabulary/messages.js';
import type { ResolvedDeps } from './deps.js';
import { activityFailure } from './failure.js';
import { resolveCommit } from './git.js';
import { planRelease } from './plan.js';
import { branchOrFail, openWorkingCopy, repoOrFail } from './working-copy.js';

export interface ReleaseStart {
  started: boolean;
  workflowId: string;
  reason: string;
}

export function createTriggerActivities(deps: ResolvedDeps) {
  return {
    /**
     * The commit a watch tick should examine: the remote branch after a fetch for a cloned
     * repository, the working copy's HEAD for a local one (that is what QA tests there).
     */
    async readBranchHead(input: { repoId: string }): Promise<{ sha: string }> {
      const { repo, git } = await openWorkingCopy(deps, input.repoId, { fetch: true });
      const ref = repo.source.kind === 'url' ? `refs/remotes/${repo.remote}/${repo.branch}` : 'HEAD';
      const sha = await resolveCommit(git, ref);
      if (!sha) throw activityFailure('SHIPGATE_REPO_UNAVAILABLE', `repository "${repo.id}" has no commit at ${ref}`);
      return { sha };
    },

    /** Whether a release of `sha` on the branch (default: the release branch) now would release anything (a read-only plan). */
    async hasReleasableChanges(input: {
      repoId: string;
      sha: string;
      branch?: string;
    }): Promise<{ releasable: boolean; reason: string }> {
      const { repo, git } = await openWorkingCopy(deps, input.repoId, { fetch: false });
      const plan = await planRelease(git, branchOrFail(repo, input.branch), {
        sha: input.sha,
        date: deps.now().toISOString().slice(0, 10),
      });
      return { releasable: plan.version !== null, reason: plan.reason };
    },

    /**
     * Starts `release:<repo>` for the branch (default: the release branch) unless a release of the
     * repository is running; the same gate as a manual release.
     */
    async startRelease(input: {
      repoId: string;
      trigger: Trigger;
      branch?: string;
      /** Who asked: for an automatic release, the bot of the QA pass it follows; default the trigger's bot. */
      requestedBy?: string;
    }): Promise<ReleaseStart> {
      const repo = repoOrFail(deps.config, input.repoId);
      // Named even when it is the release branch (a train, a watch's pass): every release start carries ShipgateBranch.
      const line = branchOf(branchOrFail(repo, input.branch));
      const requestedBy = input.requestedBy ?? (input.trigger === 'manual' ? undefined : TRIGGER_BOTS[input.trigger]);
      const answer = await deps.startRelease({
        repoId: repo.id,
        trigger: input.trigger,
        branch: line.name,
        line,
        ...(requestedBy === undefined ? {} : { requestedBy }),
      });
      return answer.started
        ? { started: true, workflowId: answer.workflowId, reason: `started ${answer.workflowId}` }
        : {
            started: false,
            workflowId: answer.workflowId,
            reason: `a release of ${repo.id} is already running (${answer.workflowId})`,
          };
    },

    /** Release policy of a repository, for workflows that decide whether to release. */
    async releasePolicy(input: { repoId: string }): Promise<{ auto: boolean; branch: string }> {
      const repo = repoOrFail(deps.config, input.repoId);
      return { auto: repo.release.auto, branch: repo.branch };
    },
  };
}
