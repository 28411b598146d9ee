import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir, workerIdentity, workerInstance, WorkerInUseError } from '../../../worker/identity.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'shipgate-identity-'));

describe('workerInstance', () => {
  it('names a data folder once and keeps the name across restarts', async () => {
    const dir = await tempDir();
    const first = await workerInstance(dir);
    expect(first).toMatch(/^[0-9a-f]{8}$/);
    expect(await workerInstance(dir)).toBe(first);
    expect((await readFile(path.join(dir, 'worker-instance'), 'utf8')).trim()).toBe(first);
  });

  it('gives another data folder another name', async () => {
    expect(await workerInstance(await tempDir())).not.toBe(await workerInstance(await tempDir()));
  });

  it("puts worker ID and instance into the pollers' identity", () => {
    expect(workerIdentity('w2', 'abcd1234')).toBe(`shipgate@w2.abcd1234/${process.pid}`);
  });
});

describe('lockDataDir', () => {
  it('refuses a second live process on the same data folder and lets it in after the first released it', async () => {
    const dir = await tempDir();
    // A live process other than this one holds the lock.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(path.join(dir, 'worker.lock'), `${other.pid} w1\n`);
      await expect(lockDataDir(dir, 'w2')).rejects.toThrow(WorkerInUseError);
      await expect(lockDataDir(dir, 'w2')).rejects.toThrow(/in use by the live worker "w1" \(pid \d+\)/);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    // Its process is gone (as after a SIGKILL): the lock is taken over.
    const release = await lockDataDir(dir, 'w2');
    expect(await readFile(path.join(dir, 'worker.lock'), 'utf8')).toBe(`${process.pid} w2\n`);
    await release();
    const again = await lockDataDir(dir, 'w3');
    await again();
  });
});
