import type { TestProject } from 'vitest/node';
import { startDevServer, type RunningDevServer } from '../../devserver/dev-server.js';
import { provisionTemporalCli } from '../../devserver/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

let server: RunningDevServer | null = null;

/** One real Temporal dev server for the whole run; each test file brings its own task queue. */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.TEMPORAL_ADDRESS) {
    project.provide('temporalAddress', process.env.TEMPORAL_ADDRESS);
    return;
  }
  const executable = await provisionTemporalCli();
  server = await startDevServer({ executable, port: 0, ui: false });
  project.provide('temporalAddress', server.address);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
