import { locatePostgres, type PostgresBinaries } from '../../../devserver/postgres.js';
import { onPath } from '../../../devserver/temporal-cli.js';
import { locateTemporalServer, serverCacheDir, TEMPORAL_SERVER_VERSION } from '../../../devserver/temporal-server.js';

/** CI sets this: there the lane must run, and a machine that cannot run it fails instead of skipping. */
export const LANE_REQUIRED = process.env.SHIPGATE_CLUSTER_LANE === 'required';

export type Lane = { postgres: PostgresBinaries } | { skip: string };

/**
 * Whether this machine can run the production-like lane. Tests install no system packages:
 * `npm run provision` does (PostgreSQL as root, the server with Go); a missing server binary is
 * built by the lane's own setup when Go is at hand.
 */
export async function clusterLane(): Promise<Lane> {
  const postgres = await locatePostgres();
  if ('missing' in postgres)
    return { skip: `${postgres.missing}; \`npm run provision\` installs it (as root, on Debian)` };
  if (!(await locateTemporalServer()) && !(await onPath('go', process.env))) {
    return {
      skip: `the Temporal server ${TEMPORAL_SERVER_VERSION} is not in ${serverCacheDir()} and there is no Go toolchain to build it`,
    };
  }
  return { postgres: postgres.found };
}
