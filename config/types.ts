import type { ReleaseBranch } from '../domain/branches.js';
import type { CommitRules } from '../domain/commit.js';

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
  watch: { intervalMs: number } | null;
  release: { auto: boolean; schedule: string | null; timezone: string | null };
  commits: CommitRules;
  changelog: { sort: 'none' | 'scope' };
  webhook: { secretEnv: string; remoteUrl: string | null } | null;
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
  api: { host: string; port: number };
  /** Where the report signing keys are read from; the keys themselves never enter the configuration. */
  reports: { keyFile: string | null; previousKeyFiles: string[] };
  repositories: RepoConfig[];
}
