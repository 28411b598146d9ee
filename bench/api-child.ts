/** The API process of benchmark 3: `buildApp` against the dev server on a free loopback port. */
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.js';
import { apiConnectionOptions } from '../api/health-probe.js';
import { freePort } from '../devserver/dev-server.js';
import { DESCRIBE_FLOOR_PATH, type ApiStart } from './api-process.js';

// Ends with the benchmark, however the benchmark ends.
process.once('disconnect', () => process.exit(0));

process.once('message', (start: ApiStart) => {
  const serve = async () => {
    const connection = await Connection.connect(apiConnectionOptions(start.address));
    const client = new Client({ connection, namespace: start.config.temporal.namespace });
    const app = await buildApp({ config: start.config, client, token: start.token, logger: false });
    // The floor of a state read: one bare describe through the same client, behind the same server.
    app.get<{ Params: { id: string } }>(DESCRIBE_FLOOR_PATH, async (request) => {
      const description = await client.workflow.getHandle(request.params.id).describe();
      return { workflowId: description.workflowId, runId: description.runId, status: description.status.name };
    });
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    process.send?.({ port });
  };
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
