import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../devserver/dev-server.js';
import { ensureSample, sampleSettings } from '../../sample/create-sample.js';
import type { RepositoryInput } from '../../config/schema.js';
import { createTestRepoHandle, type TestRepo } from './git-repo.js';

export interface SampleService {
  repo: TestRepo;
  stateDir: string;
  port: number;
  settings: RepositoryInput;
  /** Switch a fault of the sample service on (`fail-deploy`, `stuck`, `unhealthy-<version>`). */
  fault(name: string): Promise<void>;
  clearFault(name: string): Promise<void>;
  deployCount(): number;
  /** Every run of the deploy command, oldest first: the version it deployed and `SHIPGATE_PREVIOUS_VERSION`. */
  deploys(): { version: string; previous: string }[];
  servingVersion(): Promise<string | null>;
  stop(): Promise<void>;
}

/**
 * The shipped sample application in a fresh temp folder with its own loopback port: its deploy
 * command really starts and replaces an HTTP service, which `stop` ends.
 */
export async function createSampleService(
  id: string,
  tune: (settings: RepositoryInput) => void = () => {},
): Promise<SampleService> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-sample-'));
  const port = await freePort();
  const sample = await ensureSample({ root, id, port });
  const settings = sampleSettings(id, sample.dir, sample.stateDir, port);
  settings.health = { ...settings.health!, interval: '200ms', successes: 2, failureBudget: 2, deadline: '10s' };
  settings.deploy = { ...settings.deploy!, retries: 0, decisionTimeout: '1h' };
  tune(settings);
  const state = (name: string) => path.join(sample.stateDir, name);
  return {
    repo: createTestRepoHandle(sample.dir, sample.remote, root),
    stateDir: sample.stateDir,
    port,
    settings,
    async fault(name) {
      await mkdir(sample.stateDir, { recursive: true });
      await writeFile(state(name), '');
    },
    clearFault: (name) => rm(state(name), { force: true }),
    deployCount: () => (existsSync(state('deploy-count')) ? Number(readFileSync(state('deploy-count'), 'utf8')) : 0),
    deploys: () =>
      existsSync(state('deploys.log'))
        ? readFileSync(state('deploys.log'), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { version: string; previous: string })
        : [],
    async servingVersion() {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        return ((await response.json()) as { version?: string }).version ?? null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (existsSync(state('service.pid'))) {
        try {
          process.kill(Number(readFileSync(state('service.pid'), 'utf8')), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
