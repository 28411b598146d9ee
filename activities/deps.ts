import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ShipgateConfig } from '../config/types.js';

export interface ActivityDeps {
  config: ShipgateConfig;
  /** Stable name of this worker; runs are pinned to `<taskQueue>@<workerId>`. */
  workerId: string;
  taskQueue: string;
  logger: Logger;
  now?: () => Date;
  /** For activities that wait on other workflows. */
  client: Client;
}

export function pinnedQueue(taskQueue: string, workerId: string): string {
  return `${taskQueue}@${workerId}`;
}
