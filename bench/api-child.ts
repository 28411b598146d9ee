/** The API process of benchmark 3: `buildApp` against the dev server on a free loopback port. */
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.js';
import { apiConnectionOptions } from '../api/health-probe.js';
import { freePort } from '../devserver/dev-server.js';
import type { ApiStart } from './api-process.js';

// Ends with the benchmark, however the benchmark ends.
process.once('disconnect', () => process.exit(0));

process.once('message', (start: ApiStart) => {
  const serve = async () => {
    const connection = await Connection.connect(apiConnectionOptions(start.address));
    const client = new Client({ connection, namespace: start.config.temporal.namespace });
    const app = await buildApp({ config: start.config, client, token: start.token, logger: false });
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    process.send?.({ port });
  };
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
