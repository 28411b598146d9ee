import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../activities/process.js';
import { pollUntil } from '../../helpers/api.js';

/**
 * Commands that leave a process behind which still holds the inherited stdout: a test suite's
 * forgotten server, a deploy script's daemon. The command's own exit decides the result.
 */

/** Starts a child that ignores SIGTERM and keeps stdout open, writes its PID, then exits 0. */
const LEAVES_A_CHILD = `sh -c 'trap "" TERM; exec sleep 300' & echo $! > "$CHILD_PID"; echo 'left a child'; sleep 0.5; exit 0`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runCommand with a child that keeps stdout open', () => {
  let dir: string;
  const pids: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-process-'));
  });

  afterAll(async () => {
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, reapGroupOnExit: boolean) {
    const pidFile = path.join(dir, `${name}.pid`);
    const result = await runCommand({
      argv: ['sh', '-c', LEAVES_A_CHILD],
      cwd: dir,
      env: { CHILD_PID: pidFile },
      timeoutMs: 90_000,
      logFile: path.join(dir, `${name}.log`),
      reapGroupOnExit,
    });
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    pids.push(pid);
    return { result, pid };
  }

  it('ends the group of a test command once the command exits, and keeps its result', async () => {
    const { result, pid } = await run('test', true);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false, spawnError: null });
    expect(result.tail).toContain('left a child');
    await pollUntil(
      async () => isRunning(pid),
      (alive) => !alive,
      5_000,
    );
  });

  it('leaves the daemon of a deploy command running, and stops reading its output soon after the command exits', async () => {
    const { result, pid } = await run('deploy', false);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false, spawnError: null });
    expect(result.tail).toContain('left a child');
    expect(isRunning(pid)).toBe(true);
  });
});
