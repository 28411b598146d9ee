import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { buildApp } from './app.js';
import { temporalAddress } from './deps.js';
import { apiConnectionOptions } from './health-probe.js';

/** An error whose message is the whole story for the person who started the server. */
class FatalError extends Error {}

async function main(): Promise<void> {
  const config = await loadConfigFile();
  const address = temporalAddress(config);
  const connection = await Connection.connect(apiConnectionOptions(address)).catch((error: unknown) => {
    throw new FatalError(`cannot reach the Temporal server at ${address}: ${messageOf(error)}`);
  });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const given = process.env.SHIPGATE_API_TOKEN;
  // With tokens per person the single token is only what is given; without, one is made.
  const token = given || (config.api.tokens.length ? null : randomBytes(24).toString('base64url'));
  const app = await buildApp({
    config,
    client,
    token,
    logger: {
      name: 'shipgate-api',
      level: process.env.SHIPGATE_LOG_LEVEL ?? 'info',
      redact: ['req.headers.authorization'],
    },
  });

  const stop = (): void => {
    // Once, so a second Ctrl-C falls through to Node's default and ends the process at once.
    void Promise.all([app.close(), connection.close()]).then(
      () => process.exit(0),
      (error: unknown) => fail(new FatalError(`could not close cleanly: ${messageOf(error)}`)),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const { host, port } = config.api;
  await app.listen({ host, port }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new FatalError(`port ${port} is already in use; set SHIPGATE_API_PORT`);
    throw error;
  });
  // Printed once, and only here: whoever started the server is the one to hand it to a client.
  if (!given && token) console.log(`shipgate API token: ${token}`);
  const bound = app.server.address();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  console.log(
    `shipgate API listening on http://${shownHost}:${typeof bound === 'object' && bound ? bound.port : port}`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(error: unknown): never {
  const known = error instanceof FatalError || error instanceof ConfigError;
  console.error(`shipgate API: ${known ? '' : 'stopped on an unexpected error: '}${messageOf(error).split('\n')[0]}`);
  process.exit(1);
}

main().catch(fail);
