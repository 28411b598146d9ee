import type { ApprovalPolicy, RepoConfig } from '../config/types.js';
import type { ReleaseBranch } from '../domain/branches.js';
import type { NotifyRoute } from '../domain/notification.js';
import type { ActivityDeps } from './deps.js';
import { pinnedQueue } from './deps.js';
import { repoOrFail } from './working-copy.js';
import { withEnvironment } from '../config/environments.js';

/** What a workflow needs to know about its repository's settings; nothing secret. */
export interface RunSettings {
  repoId: string;
  branch: string;
  /** Every configured branch, the release branch first; absent from runs pinned before release channels. */
  branches?: ReleaseBranch[];
  testTimeoutMs: number;
  heartbeatTimeoutMs: number;
  /** The deploy policy without the command and its environment. */
  deploy: Omit<NonNullable<RepoConfig['deploy']>, 'command' | 'env'> | null;
  health:
    | (Pick<
        NonNullable<RepoConfig['health']>,
        'initialDelayMs' | 'intervalMs' | 'successes' | 'failureBudget' | 'deadlineMs'
      > & { checksVersion: boolean })
    | null;
  /**
   * Every environment's promotion policy, in promotion order; absent from runs pinned before
   * environments. `promotes`: the repository lists `environments` (see RepoConfig.promotes).
   */
  environments?: EnvironmentPolicy[];
  promotes?: boolean;
  /**
   * The release's publish steps, in order, without their commands: a name and its policy.
   * Set only when the repository configures some, so runs pinned before publishing replay alike.
   */
  publish?: PublishPolicy[];
  /**
   * The repository's notification targets, by name and events, never their URL or secret. Set
   * only when it has some, so runs pinned before notifications replay alike.
   */
  notify?: NotifyRoute[];
}

/** What a release knows of one publish step: its name and policy, never its command or env. */
export interface PublishPolicy {
  name: string;
  retries: number;
  timeoutMs: number;
  decisionTimeoutMs: number;
  /** The artifact as configured, placeholders unsubstituted; absent: "<name> <version>". */
  artifact?: string;
}

/** What a workflow knows of an environment: its place in the promotion order, not its command. */
export interface EnvironmentPolicy {
  name: string;
  after: string | null;
  soakMs: number;
  autoPromote: boolean;
  /** Its health check's sampling, for a soak that watches it; null without a health check. */
  health: { intervalMs: number; failureBudget: number } | null;
  /** Who must approve a version before it enters (workflows/approval.ts); absent: no approval. */
  approval?: ApprovalPolicy;
  /**
   * True when it has freeze windows: the promotion asks `freezeOf` (activities/promotion.ts) right
   * before it deploys there, and waits out an open window. Absent: no freeze windows.
   */
  freezes?: boolean;
}

/** Where a run's working-copy steps go, and whether they may go elsewhere when that worker is lost. */
export interface PinResult {
  taskQueue: string;
  workerId: string;
  settings: RunSettings;
  /**
   * True for a `url` repository: every worker clones it, so another worker can take the run
   * over. False for a `path` repository, which exists on this worker's host alone. Absent from
   * runs pinned before this was known, which are treated as not portable.
   */
  portable?: boolean;
}

export function createPinningActivities(deps: ActivityDeps) {
  return {
    /**
     * Runs on the shared queue and answers with this worker's own queue: every later activity
     * of the run goes there, so the run keeps using this worker's working copy.
     */
    async pinRun(input: { repoId: string; environment?: string }): Promise<PinResult> {
      const configured = repoOrFail(deps.config, input.repoId);
      // A deployment to a named environment sees that environment's deploy and health settings.
      const repo = withEnvironment(configured, input.environment);
      return {
        taskQueue: pinnedQueue(deps.taskQueue, deps.workerId, deps.instance),
        workerId: deps.workerId,
        portable: repo.source.kind === 'url',
        settings: {
          repoId: repo.id,
          branch: repo.branch,
          branches: repo.branches,
          testTimeoutMs: repo.test.timeoutMs,
          heartbeatTimeoutMs: deps.config.temporal.heartbeatTimeoutMs,
          deploy: repo.deploy
            ? {
                environment: repo.deploy.environment,
                timeoutMs: repo.deploy.timeoutMs,
                retries: repo.deploy.retries,
                autoRollback: repo.deploy.autoRollback,
                decisionTimeoutMs: repo.deploy.decisionTimeoutMs,
              }
            : null,
          health: repo.health
            ? {
                initialDelayMs: repo.health.initialDelayMs,
                intervalMs: repo.health.intervalMs,
                successes: repo.health.successes,
                failureBudget: repo.health.failureBudget,
                deadlineMs: repo.health.deadlineMs,
                checksVersion: repo.health.version !== null,
              }
            : null,
          environments: configured.environments.map((env) => ({
            name: env.name,
            after: env.after,
            soakMs: env.soakMs,
            autoPromote: env.autoPromote,
            health: env.health ? { intervalMs: env.health.intervalMs, failureBudget: env.health.failureBudget } : null,
            // Only when set: a run pinned before these existed reads none, and a replay of it alike.
            ...(env.approval ? { approval: env.approval } : {}),
            ...(env.freeze.length ? { freezes: true } : {}),
          })),
          promotes: configured.promotes,
          ...(configured.publish.length
            ? {
                publish: configured.publish.map((step) => ({
                  name: step.name,
                  retries: step.retries,
                  timeoutMs: step.timeoutMs,
                  decisionTimeoutMs: step.decisionTimeoutMs,
                  ...(step.artifact ? { artifact: step.artifact } : {}),
                })),
              }
            : {}),
          ...(configured.notify.length
            ? {
                notify: configured.notify.map((target) => ({
                  name: target.name,
                  events: target.events,
                  timeoutMs: target.timeoutMs,
                  giveUpAfterMs: target.giveUpAfterMs,
                })),
              }
            : {}),
        },
      };
    },
  };
}
