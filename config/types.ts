import type { Role } from '../vocabulary/identity.js';
import type { ReleaseBranch } from '../domain/branches.js';
import type { CommitRules } from '../domain/commit.js';
import type { FreezeWindow } from '../domain/freeze.js';

/** Repository settings with every default applied: what activities and workflows work from. */
export interface RepoConfig {
  id: string;
  source: { kind: 'path'; path: string } | { kind: 'url'; url: string };
  /**
   * The branch this configuration releases. The repository's own settings name the release
   * branch here; an activity working for another branch of `branches` gets a copy naming that
   * one (`branchSettings`), so that every read of `branch` is the branch at hand.
   */
  branch: string;
  /** Every configured branch, the release branch first. */
  branches: ReleaseBranch[];
  remote: string;
  tagFormat: string;
  initialVersion: string;
  preMajor: boolean;
  test: {
    command: string[];
    timeoutMs: number;
    env: Record<string, string>;
    results: { format: 'junit' | 'jest-json'; path: string } | null;
  };
  coverage: {
    format: 'lcov' | 'istanbul';
    path: string;
    threshold: number;
    minChangedLines: number;
    include: string[];
    exclude: string[];
  } | null;
  deploy: {
    environment: string;
    command: string[];
    env: Record<string, string>;
    timeoutMs: number;
    retries: number;
    autoRollback: boolean;
    decisionTimeoutMs: number;
  } | null;
  /** The release's publish steps, in order; empty when none is configured. */
  publish: PublishStepConfig[];
  health: {
    url: string;
    initialDelayMs: number;
    intervalMs: number;
    requestTimeoutMs: number;
    successes: number;
    failureBudget: number;
    deadlineMs: number;
    version: { url: string; jsonField: string | null; header: string | null } | null;
  } | null;
  /**
   * Every environment, in promotion order: from `environments`, or the one that `deploy` and
   * `health` describe (named by `deploy.environment`), or none. `deploy` and `health` above are
   * always the first environment's, so a step that names no environment works on the first.
   */
  environments: EnvironmentConfig[];
  /**
   * True when the file says `environments`: a release hands its version to the first
   * environment's workflow (`environment:<repo>:<name>`), and a promotion run
   * (`promotion:<repo>:<version>`) takes it on from there. False keeps the single deployment a
   * release waits for (`deploy:<repo>:<environment>`).
   */
  promotes: boolean;
  watch: { intervalMs: number } | null;
  release: { auto: boolean; schedule: string | null; timezone: string | null };
  commits: CommitRules;
  changelog: { sort: 'none' | 'scope' };
  webhook: { secretEnv: string; remoteUrl: string | null } | null;
  /** Where its runs' notifications go: the global targets, then its own; empty: none. */
  notify: NotifyTargetConfig[];
}

/** One notification target (config/schema.ts `NotifyTarget`), with every default applied. */
export interface NotifyTargetConfig {
  name: string;
  /** Exactly one of url and urlEnv is set. */
  url: string | null;
  urlEnv: string | null;
  format: 'json' | 'slack';
  /** Event names or globs. */
  events: string[];
  secretEnv: string | null;
  timeoutMs: number;
  giveUpAfterMs: number;
}

/** One publish step (config/schema.ts `PublishStep`), with every default applied. */
export interface PublishStepConfig {
  name: string;
  /** Argv with placeholders such as `${SHIPGATE_VERSION}`, substituted when it runs. */
  command: string[];
  check: string[] | null;
  /** What the release record lists; placeholders substituted. Default: "<name> <version>". */
  artifact: string | null;
  env: Record<string, string>;
  timeoutMs: number;
  retries: number;
  decisionTimeoutMs: number;
}

/** One environment of a repository, with every default applied. */
export interface EnvironmentConfig {
  name: string;
  /** Its deploy settings; `deploy.environment` is `name`. */
  deploy: NonNullable<RepoConfig['deploy']>;
  health: RepoConfig['health'];
  /** The environment it is promoted from; null for the first. */
  after: string | null;
  /** How long a version stays live and healthy in `after` before it is promoted here. */
  soakMs: number;
  /** Promote by itself once the soak has passed; false waits for a promotion request. */
  autoPromote: boolean;
  /** Who must approve a version before it enters; null: no approval. */
  approval: ApprovalPolicy | null;
  /** When nothing is promoted into it; a promotion that meets a window waits for its end. */
  freeze: FreezeWindow[];
}

export interface ApprovalPolicy {
  /** How many different people must approve. */
  required: number;
  /** Token names or roles that may approve; the default is the approver and admin roles. */
  from: string[];
  /** Refuse an approver who authored a commit of the release, or who started it. */
  notAuthor: boolean;
  /** How long the promotion waits for the approvals, from when it starts waiting. */
  expiresMs: number;
}

/** Defined beside the rules that read it (domain/ takes nothing from config/). */
export type { FreezeWindow };

/** One API token's holder, from `api.tokens`; the token itself is never in the configuration. */
export interface ApiToken {
  name: string;
  role: Role;
  /** The SHA-256 of the token, hex. */
  sha256: string;
  authors: string[];
}

export interface ShipgateConfig {
  /** Where the file was read from, or null for the built-in sample configuration. */
  file: string | null;
  dataDir: string;
  temporal: {
    /** Null: start the embedded dev server. */
    address: string | null;
    namespace: string;
    taskQueue: string;
    port: number;
    uiPort: number;
    /** A worker that stops heartbeating for this long has its activities retried elsewhere. */
    heartbeatTimeoutMs: number;
  };
  /**
   * `tokens` empty: the single-token setup (SHIPGATE_API_TOKEN or a token made at start), whose
   * holder is one admin.
   */
  api: { host: string; port: number; tokens: ApiToken[] };
  /** Where the report signing keys are read from; the keys themselves never enter the configuration. */
  reports: { keyFile: string | null; previousKeyFiles: string[] };
  repositories: RepoConfig[];
}
