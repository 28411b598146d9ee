import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ShipgateConfig } from '../config/types.js';
import type { ReportTrust } from '../context/ledger.js';

export interface ActivityDeps {
  config: ShipgateConfig;
  /** Stable name of this worker; runs are pinned to `<taskQueue>@<workerId>`. */
  workerId: string;
  taskQueue: string;
  logger: Logger;
  now?: () => Date;
  /** For activities that wait on other workflows. */
  client: Client;
  /** Which reports in context/ the deploy ledger believes; all of them when unset. */
  trustReport?: ReportTrust;
}

export function pinnedQueue(taskQueue: string, workerId: string): string {
  return `${taskQueue}@${workerId}`;
}
