import { provisionPostgres } from '../devserver/postgres.js';
import { ProvisioningError } from '../devserver/temporal-cli.js';
import {
  provisionTemporalServer,
  startTemporalCluster,
  TEMPORAL_SERVER_VERSION,
} from '../devserver/temporal-server.js';

const say = (line: string) => process.stdout.write(`shipgate: ${line}\n`);

/**
 * The production-like cluster by hand: a Temporal server on a throw-away PostgreSQL, until Ctrl-C,
 * which stops both and removes their files. Workers and the API join it through TEMPORAL_ADDRESS.
 */
async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const [server, postgres] = [await provisionTemporalServer({ log }), await provisionPostgres({ log })];
  const cluster = await startTemporalCluster({
    server,
    postgres,
    port: Number(process.env.SHIPGATE_TEMPORAL_PORT) || undefined,
  });
  say(
    `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL at ${cluster.address} (namespace ${cluster.namespace}, search attributes registered)`,
  );
  say(
    `start workers with TEMPORAL_ADDRESS=${cluster.address} and a SHIPGATE_WORKER_ID, SHIPGATE_DATA_DIR and SHIPGATE_REPORT_KEY each; Ctrl-C stops the cluster and removes its data`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('stopping the cluster…');
    void cluster.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shipgate: could not stop the cluster cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ProvisioningError ? error.message : String(error)}\n`);
  process.exit(1);
});
