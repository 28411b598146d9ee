/**
 * The load generator in a process of its own, so that it does not share an event loop with the
 * API it measures: receives its options over IPC, answers with the result, exits.
 */
import { runLoad, type LoadOptions } from './load-generator.js';

process.once('message', (options: LoadOptions) => {
  runLoad(options).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
