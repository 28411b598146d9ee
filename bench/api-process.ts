import { fork } from 'node:child_process';
import type { ShipgateConfig } from '../config/types.js';
import { benchScript } from './child-result.js';

/** A route of the benchmark's API process only: a bare describe of the run, the floor of a state read. */
export const DESCRIBE_FLOOR_PATH = '/bench/describe/:id';

export interface ApiStart {
  config: ShipgateConfig;
  address: string;
  token: string;
}

export interface ApiProcess {
  port: number;
  /** Its process ID, to read its memory from /proc. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * The API (`buildApp`, see api-child.ts) in a process of its own, as `npm start` runs it:
 * requests still in flight when the benchmark ends die with the process instead of retrying
 * against a closed connection in this one.
 */
export function startApiProcess(start: ApiStart): Promise<ApiProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(benchScript('api-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the API process did not start listening within 60 s'));
    }, 60_000);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve({
        port: message.port,
        pid: child.pid ?? 0,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the API process exited (${code ?? signal}) before listening`));
    });
    child.send(start);
  });
}
