import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The program could not be started at all (not found, not executable). */
  spawnError: string | null;
  durationMs: number;
  tail: string[];
  outputBytes: number;
}

export interface RunCommandOptions {
  argv: string[];
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  logFile: string;
  /** Lines kept for the report; the log file has everything. */
  tailLines?: number;
  signal?: AbortSignal;
  /** Called at most every `progressEveryMs` with the latest tail. */
  onProgress?: (tail: string[]) => void;
  progressEveryMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /**
   * Kill what is left of the process group once the command exits. Right for test suites;
   * wrong for deploy commands, which may leave the service they started running.
   */
  reapGroupOnExit?: boolean;
  /**
   * How long output is still read after the command exited, when its group is left running: a
   * daemon that inherited stdout would otherwise keep the run open until it ends.
   */
  outputGraceMs?: number;
}

/**
 * Runs a configured command: argv without a shell, in its own process group so that a timeout
 * or a cancellation ends every process it started, with output streamed to a log file and only
 * a bounded tail kept in memory.
 */
export async function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const [file, ...args] = options.argv;
  if (!file) throw new Error('empty command');
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile);
  const keep = options.tailLines ?? 60;
  const tail: string[] = [];
  let partial = '';
  let outputBytes = 0;
  const started = Date.now();
  const onData = (chunk: Buffer) => {
    outputBytes += chunk.length;
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
    partial = (lines.pop() ?? '').slice(-4_000);
    for (const line of lines) tail.push(line.length > 1_000 ? `${line.slice(0, 1_000)}…` : line);
    if (tail.length > keep) tail.splice(0, tail.length - keep);
  };

  const child = execa(file, args, {
    cwd: options.cwd,
    env: { ...options.env, CI: 'true', FORCE_COLOR: '0' },
    extendEnv: true,
    stdin: 'ignore',
    buffer: false,
    detached: true,
    reject: false,
    cleanup: true,
  });
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let timedOut = false;
  let cancelled = false;
  const killGroup = (why: 'timeout' | 'cancel') => {
    if (why === 'timeout') timedOut = true;
    else cancelled = true;
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 5_000).unref();
  };
  const timer = setTimeout(() => killGroup('timeout'), options.timeoutMs);
  const onAbort = () => killGroup('cancel');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const reap = options.reapGroupOnExit ?? true;
  // The command's own exit decides the result; whatever it left holding stdout must not stretch
  // the run to its timeout. Its group is ended at once, or (a daemon a deploy started) merely
  // no longer listened to once the last buffered output had a moment to arrive.
  let stopReading: NodeJS.Timeout | null = null;
  child.once('exit', () => {
    if (reap) {
      // After a timeout or a cancellation the rest of the group keeps its grace before SIGKILL.
      if (!timedOut && !cancelled) signalGroup(child.pid, 'SIGKILL');
      return;
    }
    stopReading = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, options.outputGraceMs ?? 2_000);
    stopReading.unref();
  });
  const progress = options.onProgress
    ? setInterval(() => options.onProgress?.(tail.slice(-10)), options.progressEveryMs ?? 5_000)
    : null;

  try {
    const result = await child;
    if (partial) tail.push(partial);
    if (tail.length > keep) tail.splice(0, tail.length - keep);
    const spawnError =
      result.failed && result.exitCode === undefined && !result.signal && !timedOut && !cancelled
        ? (result.originalMessage ?? result.shortMessage ?? 'could not start')
        : null;
    if (reap) signalGroup(child.pid, 'SIGKILL');
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      timedOut,
      cancelled,
      spawnError,
      durationMs: Date.now() - started,
      tail,
      outputBytes,
    };
  } finally {
    clearTimeout(timer);
    if (stopReading) clearTimeout(stopReading);
    if (progress) clearInterval(progress);
    options.signal?.removeEventListener('abort', onAbort);
    await new Promise<void>((resolve) => log.end(() => resolve()));
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
