import { provisionPostgres } from '../devserver/postgres.js';
import { ProvisioningError, provisionTemporalCli } from '../devserver/temporal-cli.js';
import { provisionTemporalServer } from '../devserver/temporal-server.js';
import { provisionVerdaccio } from '../devserver/verdaccio.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const messageOf = (error: unknown) => (error instanceof ProvisioningError ? error.message : String(error));

/**
 * Makes sure a Temporal CLI is at hand (building it once into the cache) and prints its path;
 * then the production-like cluster lane's Temporal server and PostgreSQL. Without those the lane
 * is skipped, which is no reason to fail here, unless SHIPGATE_CLUSTER_LANE=required (CI).
 * Last the npm registry the publish tests run against, which every test run needs.
 */
async function main(): Promise<number> {
  try {
    const executable = await provisionTemporalCli({ log });
    process.stdout.write(
      executable.type === 'path' ? `${executable.path}\n` : 'the SDK will download the dev server\n',
    );
  } catch (error) {
    log(messageOf(error));
    return 1;
  }
  const required = process.env.SHIPGATE_CLUSTER_LANE === 'required';
  let failed = false;
  for (const [what, provision] of [
    ['the Temporal server', async () => (await provisionTemporalServer({ log })).server],
    ['PostgreSQL', async () => (await provisionPostgres({ log })).binDir],
  ] as const) {
    try {
      // stdout stays the CLI's path alone, as scripts read it.
      log(`shipgate: ${what} for the production-like cluster lane: ${await provision()}`);
    } catch (error) {
      failed = true;
      log(
        `shipgate: ${what} for the production-like cluster lane is not available, so that lane will be skipped: ${messageOf(error)}`,
      );
    }
  }
  try {
    log(`shipgate: the tests' npm registry: ${await provisionVerdaccio({ log })}`);
  } catch (error) {
    log(messageOf(error));
    return 1;
  }
  return failed && required ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(messageOf(error));
    process.exit(1);
  },
);
