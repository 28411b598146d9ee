import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { RepositoryInput } from '../../config/schema.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  stop(): Promise<void>;
}

/** A configuration file as an operator would write it, in its own temp folder. */
export async function writeConfigFile(
  repositories: RepositoryInput[],
  temporal: Record<string, unknown> = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-proc-'));
  const file = path.join(dir, 'shipgate.config.yaml');
  await writeFile(file, stringify({ dataDir: path.join(dir, 'data'), temporal, repositories }));
  return file;
}

/** Runs a compiled entry point (`worker/main.js`, `api/server.js`) as its own process. */
export function startProcess(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [path.join(dist, entry)], {
    env: { ...process.env, SHIPGATE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Waits up to `withinMs` for a worker a kill point (SHIPGATE_FAULT_KILL_AFTER) should end, and checks
 * that the point was reached: SIGKILL, and the marker file the worker wrote just before.
 */
export async function expectKilledAt(proc: ServiceProcess, point: string, marker: string, withinMs: number) {
  const death = await Promise.race([
    proc.exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), withinMs)),
  ]);
  expect(death, `the worker was not killed in ${point}:\n${proc.output()}`).toEqual({ code: null, signal: 'SIGKILL' });
  expect(existsSync(marker)).toBe(true);
}

/** Runs a test file's cleanups newest first, each allowed to fail: a test that failed halfway made only some of it. */
export async function runCleanups(cleanups: (() => Promise<unknown>)[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
