import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { pinnedQueue } from '../activities/deps.js';

/**
 * How recently another host's poller must have been seen on this worker ID's queue to count as
 * alive: an idle worker's long poll is answered (empty) after a minute and it polls again at
 * once, so a live worker is never seen longer ago than that, plus a margin for a slow server.
 */
export const LIVE_POLLER_WINDOW_MS = 75_000;

const INSTANCE_FILE = 'worker-instance';
const LOCK_FILE = 'worker.lock';

/** Why this worker must not start: it would share its worker ID or its data folder with a live one. */
export class WorkerInUseError extends Error {
  override name = 'WorkerInUseError';
}

/**
 * The name of this data folder, made once and kept in `<dataDir>/worker-instance`. It is part of
 * the pinned queue, so a worker restarted on the same folder finds its runs again, and a fresh
 * host started with the same worker ID never receives steps that expect another host's clones.
 */
export async function workerInstance(dataDir: string): Promise<string> {
  const file = path.join(dataDir, INSTANCE_FILE);
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{8,32}$/.test(existing)) return existing;
  await mkdir(dataDir, { recursive: true });
  const made = randomBytes(4).toString('hex');
  try {
    const handle = await open(file, 'wx');
    await handle.writeFile(`${made}\n`);
    await handle.close();
    return made;
  } catch {
    // Another process made it first: that one is the folder's name.
    return (await readFile(file, 'utf8')).trim();
  }
}

/** The identity a worker's pollers show: the worker ID, the data folder's instance, the process. */
export function workerIdentity(workerId: string, instance: string): string {
  return `shipgate@${workerId}.${instance}/${process.pid}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds `<dataDir>/worker.lock` for this process: two workers on one data folder would share
 * clones and trample each other's working copies. A lock whose process is gone (a crash, a
 * SIGKILL) is taken over, so a restart is never refused. Returns the release of the lock.
 */
export async function lockDataDir(dataDir: string, workerId: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid} ${workerId}\n`);
      await handle.close();
      return async () => {
        const holder = (await readFile(file, 'utf8').catch(() => '')).split(' ')[0];
        if (holder === String(process.pid)) await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pid = '', holderId = '?'] = (await readFile(file, 'utf8').catch(() => '')).trim().split(' ');
      const holder = Number(pid);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new WorkerInUseError(
          `the data folder ${dataDir} is in use by the live worker "${holderId}" ` +
            `(pid ${holder}); give this worker its own dataDir, or stop that one`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new WorkerInUseError(`cannot lock the data folder ${dataDir} (${file} keeps coming back)`);
}

/**
 * Refuses a second live worker with this worker ID on another host (another data folder): every
 * worker of an ID polls the ID's own queue (`<taskQueue>@<workerId>`), and its pollers' identity
 * names its instance. A poller of another instance seen within `LIVE_POLLER_WINDOW_MS` is a live
 * duplicate; so is, for a minute, the other host's worker that just died, which the line says.
 * Pollers of workers from before instances existed name none and are not counted.
 */
export async function refuseDuplicateWorker(
  client: Client,
  options: { namespace: string; taskQueue: string; workerId: string; instance: string; now?: number },
): Promise<void> {
  const answer = await client.workflowService.describeTaskQueue({
    namespace: options.namespace,
    taskQueue: { name: pinnedQueue(options.taskQueue, options.workerId) },
    // TASK_QUEUE_TYPE_ACTIVITY: the only kind of task these queues carry.
    taskQueueType: 2,
  });
  const now = options.now ?? Date.now();
  const prefix = `shipgate@${options.workerId}.`;
  for (const poller of answer.pollers ?? []) {
    const identity = poller.identity ?? '';
    if (!identity.startsWith(prefix)) continue;
    const instance = identity.slice(prefix.length).split('/')[0];
    if (!instance || instance === options.instance) continue;
    const seenMs = poller.lastAccessTime
      ? Number(poller.lastAccessTime.seconds ?? 0) * 1000 + Math.round((poller.lastAccessTime.nanos ?? 0) / 1e6)
      : 0;
    const ago = Math.max(0, Math.round((now - seenMs) / 1000));
    if (now - seenMs <= LIVE_POLLER_WINDOW_MS) {
      throw new WorkerInUseError(
        `worker ID "${options.workerId}" is in use by another live worker ` +
          `(instance ${instance}, ${identity}, polled ${ago} s ago); ` +
          `give this worker its own SHIPGATE_WORKER_ID, or stop the other one ` +
          `(if it is gone, start again in ${Math.ceil(LIVE_POLLER_WINDOW_MS / 1000) - ago} s)`,
      );
    }
  }
}
