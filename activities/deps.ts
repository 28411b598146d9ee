import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ShipgateConfig } from '../config/types.js';
import type { Trigger } from '../vocabulary/messages.js';
import type { ReportKeys } from './report-signing.js';

export interface ActivityDeps {
  config: ShipgateConfig;
  /** Stable name of this worker; runs are pinned to `<taskQueue>@<workerId>.<instance>`. */
  workerId: string;
  /**
   * Names this worker's data folder (`<dataDir>/worker-instance`), so that two hosts started with
   * the same worker ID get different queues and never take each other's pinned steps.
   */
  instance?: string;
  taskQueue: string;
  logger: Logger;
  /** The clock of reports and health samples; tests give a fixed one. Default: the system clock. */
  now?: () => Date;
  /** Signs every report written, and decides which reports in context/ shipgate wrote. */
  reportKeys: ReportKeys;
  /** For activities that wait on other workflows. */
  client: Client;
  /**
   * Starts `release:<repo>` for a trigger. The worker passes in client/starts.ts's typed start, so
   * that activities, which workflows name as types, never name the workflows back.
   */
  startRelease: (input: {
    repoId: string;
    trigger: Trigger;
    branch?: string;
    requestedBy?: string;
    /** The configured branch, for the run's summary in the Temporal UI. */
    line?: { name: string; kind: string; channel: string };
  }) => Promise<{ started: boolean; workflowId: string }>;
}

/** The dependencies as every factory receives them: defaults applied once, in `createActivities`. */
export interface ResolvedDeps extends ActivityDeps {
  now: () => Date;
}

/**
 * The queue of one worker's working copies: `<taskQueue>@<workerId>.<instance>`. Without an
 * instance it is the queue runs were pinned to before instances existed, which workers still poll.
 */
export function pinnedQueue(taskQueue: string, workerId: string, instance?: string): string {
  return instance ? `${taskQueue}@${workerId}.${instance}` : `${taskQueue}@${workerId}`;
}
