import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { pinnedQueue } from '../activities/deps.js';
import type { MemorySample } from './memory-probe.js';

/** The service's worker entry point (`dist/worker/main.js`) as its own process, watched through /proc. */
export interface WorkerProcess {
  pid: number;
  /** A /proc/<pid>/status field in bytes (`VmRSS`, `VmHWM`), or null once the process is gone. */
  memory(field: 'VmRSS' | 'VmHWM'): Promise<number | null>;
  output(): string;
  stop(): Promise<void>;
}

/** With `memoryLog`, the worker also writes its own memory figures there (memory-probe.ts). */
export function spawnWorker(env: Record<string, string>, memoryLog?: string): WorkerProcess {
  const entry = fileURLToPath(new URL('../worker/main.js', import.meta.url));
  const probe = pathToFileURL(fileURLToPath(new URL('./memory-probe.js', import.meta.url))).href;
  const args = memoryLog ? ['--import', probe, entry] : [entry];
  const probeEnv = memoryLog ? { SHIPGATE_BENCH_MEMORY_LOG: memoryLog } : {};
  const child = spawn(process.execPath, args, {
    env: { ...process.env, SHIPGATE_LOG_LEVEL: 'warn', ...env, ...probeEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('the worker process did not start');
  const pid = child.pid;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid,
    async memory(field) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
      const kb = status ? new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] : undefined;
      return kb ? Number(kb) * 1024 : null;
    },
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!graceful) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Waits until the worker `workerId` polls the shared queue and its own pinned queue. It bundles
 * the workflow code before it polls: seconds on an idle machine, minutes on a loaded one.
 */
export function waitForWorker(client: Client, taskQueue: string, workerId: string, worker: WorkerProcess) {
  return waitForPollers(client, { workflow: taskQueue, activity: pinnedQueue(taskQueue, workerId) }, worker, 600_000);
}

/** Waits until workers poll both the shared queue (workflows) and the pinned queue (activities). */
export async function waitForPollers(
  client: Client,
  queues: { workflow: string; activity: string },
  worker: WorkerProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const polled = async (name: string, taskQueueType: number) => {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name },
      taskQueueType,
    });
    return (answer.pollers?.length ?? 0) > 0;
  };
  while (Date.now() < deadline) {
    if ((await polled(queues.workflow, 1)) && (await polled(queues.activity, 2))) return;
    if ((await worker.memory('VmRSS')) === null)
      throw new Error(`the worker process exited while starting:\n${worker.output()}`);
    await sleep(250);
  }
  throw new Error(`the worker did not poll ${queues.workflow} within ${timeoutMs / 1000} s:\n${worker.output()}`);
}

/** The samples a memory probe wrote so far: the latest, and the one with the highest RSS. */
export async function memorySamples(file: string): Promise<{ latest: MemorySample; peak: MemorySample } | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  let found: { latest: MemorySample; peak: MemorySample } | null = null;
  for (const line of text.split('\n')) {
    // The probe may be writing the last line right now.
    if (!line.endsWith('}')) continue;
    const sample = JSON.parse(line) as MemorySample;
    found = { latest: sample, peak: !found || sample.rss > found.peak.rss ? sample : found.peak };
  }
  return found;
}
