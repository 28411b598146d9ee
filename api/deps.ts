import type { Client } from '@temporalio/client';
import type { ShipgateConfig } from '../config/types.js';

/**
 * What every route works from: the configuration and a client of the Temporal server. No report
 * key and no working copy: what the API answers about a repository, a worker reads for it.
 */
export interface ApiDeps {
  config: ShipgateConfig;
  client: Client;
}

/** Where the client connects: the configured address, or the embedded dev server on this host. */
export function temporalAddress(config: ShipgateConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
}
