import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ShipgateConfig } from '../config/types.js';
import type { ReportKeys } from './report-signing.js';

export interface ActivityDeps {
  config: ShipgateConfig;
  /** Stable name of this worker; runs are pinned to `<taskQueue>@<workerId>`. */
  workerId: string;
  taskQueue: string;
  logger: Logger;
  /** The clock of reports and health samples; tests give a fixed one. Default: the system clock. */
  now?: () => Date;
  /** Signs every report written, and decides which reports in context/ shipgate wrote. */
  reportKeys: ReportKeys;
  /** For activities that wait on other workflows. */
  client: Client;
}

/** The dependencies as every factory receives them: defaults applied once, in `createActivities`. */
export interface ResolvedDeps extends ActivityDeps {
  now: () => Date;
}

export function pinnedQueue(taskQueue: string, workerId: string): string {
  return `${taskQueue}@${workerId}`;
}
