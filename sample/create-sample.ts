import { existsSync } from 'node:fs';
import { cp, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RepositoryInput } from '../config/schema.js';

export interface SampleOptions {
  /** Everything the sample owns lives below this folder. */
  root: string;
  id?: string;
  /** Loopback port the sample service listens on. */
  port: number;
}

export interface Sample {
  dir: string;
  remote: string;
  stateDir: string;
  settings: RepositoryInput;
}

/** The sample's source files, shipped beside this module (found from src or dist alike). */
function sampleSource(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'app'), path.join(here, '..', '..', 'sample', 'app')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'deploy.mjs')));
  if (!found) throw new Error(`the sample application is missing (looked in ${candidates.join(', ')})`);
  return found;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'shipgate sample',
  GIT_AUTHOR_EMAIL: 'sample@localhost',
  GIT_COMMITTER_NAME: 'shipgate sample',
  GIT_COMMITTER_EMAIL: 'sample@localhost',
};

/**
 * A ready application repository with its own tests, coverage and a tiny HTTP service that
 * reports its version, plus a bare remote. Made once; later calls reuse it as it is.
 */
export async function ensureSample(options: SampleOptions): Promise<Sample> {
  const id = options.id ?? 'sample';
  const dir = path.join(options.root, 'app');
  const remoteDir = path.join(options.root, 'remote.git');
  const stateDir = path.join(options.root, 'state');
  if (!existsSync(path.join(dir, '.git'))) {
    const staging = `${dir}.staging-${process.pid}`;
    await mkdir(options.root, { recursive: true });
    await cp(sampleSource(), staging, { recursive: true });
    await rename(path.join(staging, 'gitignore'), path.join(staging, '.gitignore'));
    const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: IDENTITY });
    if (!existsSync(remoteDir))
      await git(options.root, 'init', '--quiet', '--bare', '--initial-branch', 'main', remoteDir);
    await git(staging, 'init', '--quiet', '--initial-branch', 'main');
    await git(staging, 'remote', 'add', 'origin', `file://${remoteDir}`);
    await git(staging, 'add', '--all');
    await git(staging, 'commit', '--quiet', '-m', 'feat: greet people over HTTP');
    await git(staging, 'push', '--quiet', 'origin', 'main');
    await rename(staging, dir);
  }
  return { dir, remote: `file://${remoteDir}`, stateDir, settings: sampleSettings(id, dir, stateDir, options.port) };
}

export function sampleSettings(id: string, dir: string, stateDir: string, port: number): RepositoryInput {
  return {
    id,
    path: dir,
    branch: 'main',
    test: {
      command: ['npm', 'test', '--silent'],
      timeout: '5m',
      results: { format: 'junit', path: 'reports/junit.xml' },
    },
    coverage: { format: 'lcov', path: 'coverage/lcov.info', threshold: 80, minChangedLines: 5, include: ['src/**'] },
    deploy: {
      environment: 'production',
      command: ['node', 'deploy.mjs'],
      env: { SAMPLE_STATE_DIR: stateDir, SAMPLE_PORT: String(port) },
      timeout: '1m',
      retries: 1,
      decisionTimeout: '1h',
    },
    health: {
      url: `http://127.0.0.1:${port}/healthz`,
      interval: '500ms',
      requestTimeout: '2s',
      successes: 3,
      failureBudget: 4,
      deadline: '30s',
      version: { jsonField: 'version' },
    },
  };
}
