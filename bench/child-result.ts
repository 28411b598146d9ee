import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A compiled benchmark module beside this one, e.g. `plan-child.js`. */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/**
 * Runs a benchmark module in its own Node process and resolves with the one message it sends.
 * The child is killed when it overruns `timeoutMs`, so a hung measurement cannot hang the run.
 */
export function childResult<T>(
  script: string,
  args: string[],
  options: { execArgv?: string[]; timeoutMs: number; input?: unknown },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(benchScript(script), args, {
      execArgv: options.execArgv ?? [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let message: { value: T } | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${Math.round(options.timeoutMs / 1000)} s`));
    }, options.timeoutMs);
    child.on('message', (value) => {
      message = { value: value as T };
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': by then the IPC channel has delivered every message.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (message && code === 0) resolve(message.value);
      else reject(new Error(`${script} exited with ${code ?? signal} without a result`));
    });
    if (options.input !== undefined) child.send(options.input as object);
  });
}
