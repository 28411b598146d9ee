import type { Client } from '@temporalio/client';
import type { ShipgateConfig } from '../config/types.js';
import type { ReportTrust } from '../context/ledger.js';

/** What every route works from: the configuration and a client of the Temporal server. */
export interface ApiDeps {
  config: ShipgateConfig;
  client: Client;
  /** Which reports in context/ the deploy ledger believes; all of them when unset. */
  trustReport?: ReportTrust;
}

/** Where the client connects: the configured address, or the embedded dev server on this host. */
export function temporalAddress(config: ShipgateConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
}
