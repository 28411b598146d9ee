import { ProvisioningError, provisionTemporalCli } from '../devserver/temporal-cli.js';

/** Makes sure a Temporal CLI is at hand (building it once into the cache); prints its path. */
provisionTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) }).then(
  (executable) => {
    process.stdout.write(executable.type === 'path' ? `${executable.path}\n` : 'the SDK will download the dev server\n');
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof ProvisioningError ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
