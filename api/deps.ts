import type { Client } from '@temporalio/client';
import type { ReportKeys } from './working-copy.js';
import type { ShipgateConfig } from '../config/types.js';

/** What every route works from: the configuration and a client of the Temporal server. */
export interface ApiDeps {
  config: ShipgateConfig;
  client: Client;
  /** The same keys as the workers': the API checks signatures for the reports list and for deployments. */
  reportKeys: ReportKeys;
}

/** Where the client connects: the configured address, or the embedded dev server on this host. */
export function temporalAddress(config: ShipgateConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
}
