import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { noTemporalParagraph, ProvisioningError, type CliExecutable } from './temporal-cli.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../vocabulary/search-attributes.js';

export interface DevServerOptions {
  executable: CliExecutable;
  ip?: string;
  /** 0 picks a free port. */
  port: number;
  ui: boolean;
  uiPort?: number;
  namespace?: string;
  /** SQLite file that keeps runs across restarts; omitted, the server keeps them in memory. */
  dbFile?: string;
  /** Where the server's own output goes. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string | null;
  pid: number | null;
  stop(): Promise<void>;
}

export async function assertPortFree(ip: string, port: number, what: string, hint: string): Promise<void> {
  const problem = await new Promise<string | null>((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
  if (problem === 'EADDRINUSE')
    throw new ProvisioningError(
      `Port ${port} on ${ip} (${what}) is already in use, ` +
        `perhaps by another Temporal server or an earlier shipgate that is still running. ${hint}`,
    );
  if (problem) throw new ProvisioningError(`Cannot listen on ${ip}:${port} (${what}): ${problem}. ${hint}`);
}

export async function freePort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: ip, port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  if (options.executable.type === 'sdk-download') return startWithSdkDownload(options, ip, namespace);
  // A port picked here may be taken by another process before the server binds it: pick again.
  // On a fixed port, a server that exits while starting is started once more: restarted on the
  // SQLite file of a server that was killed, the binary has been seen to exit once (a Go panic).
  const attempts = options.port === 0 ? 3 : 2;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startCliServer(options, options.executable, ip, namespace);
    } catch (error) {
      const retry = options.port === 0 ? error instanceof ProvisioningError : error instanceof ServerExitedError;
      if (attempt >= attempts || !retry) throw error;
    }
  }
}

async function startCliServer(
  options: DevServerOptions,
  executable: CliExecutable & { type: 'path' },
  ip: string,
  namespace: string,
): Promise<RunningDevServer> {
  const port = options.port || (await freePort(ip));
  const uiPort = options.ui ? options.uiPort || (await freePort(ip)) : null;
  const portHint =
    'Stop it, or choose other ports with SHIPGATE_TEMPORAL_PORT and SHIPGATE_TEMPORAL_UI_PORT, ' +
    'or set TEMPORAL_ADDRESS to use a running server.';
  await assertPortFree(ip, port, 'Temporal gRPC', portHint);
  if (uiPort) await assertPortFree(ip, uiPort, 'Temporal Web UI', portHint);

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
  ];
  args.push(...(uiPort ? ['--ui-port', String(uiPort), '--ui-ip', ip] : ['--headless']));
  if (options.dbFile) {
    await mkdir(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);

  const child = spawn(executable.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  // The first lines say why a server failed (a Go panic starts there), the last what it did at the end.
  const head: string[] = [];
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    const lines = chunk.toString('utf8').split('\n').filter(Boolean);
    const room = Math.max(0, OUTPUT_LINES_KEPT - head.length);
    head.push(...lines.slice(0, room));
    tail.push(...lines.slice(room));
    tail.splice(0, Math.max(0, tail.length - OUTPUT_LINES_KEPT));
  };
  const output = () => [...head, ...(tail.length ? ['…', ...tail] : [])];
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (options.logFile) {
    await mkdir(path.dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const address = `${ip}:${port}`;
  try {
    await waitUntilServing(child, address, namespace, options.readyTimeoutMs ?? 60_000, output);
    if (uiPort) await waitForHttp(`http://${ip}:${uiPort}/`, 30_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    address,
    uiUrl: uiPort ? `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${uiPort}` : null,
    pid: child.pid ?? null,
    stop: () => stopChild(child),
  };
}

/** How many lines of a starting server's output an error keeps from its beginning, and from its end. */
const OUTPUT_LINES_KEPT = 20;

/** The server process ended before it served: worth one more start on a fixed port. */
class ServerExitedError extends ProvisioningError {}

async function waitUntilServing(
  child: ChildProcess,
  address: string,
  namespace: string,
  timeoutMs: number,
  output: () => string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not answering yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ServerExitedError(
        `The Temporal dev server exited (${child.exitCode ?? child.signalCode}) while starting:\n${output().join('\n')}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(200);
  }
  throw new ProvisioningError(
    `The Temporal dev server did not answer on ${address} within ${Math.round(timeoutMs / 1000)}s ` +
      `(${lastError}).\n${output().join('\n')}`,
  );
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new ProvisioningError(`The Temporal Web UI did not answer at ${url} within ${Math.round(timeoutMs / 1000)}s.`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!graceful) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function startWithSdkDownload(
  options: DevServerOptions,
  ip: string,
  namespace: string,
): Promise<RunningDevServer> {
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip,
        port: options.port || undefined,
        ui: options.ui,
        uiPort: options.ui ? options.uiPort : undefined,
        namespace,
        dbFilename: options.dbFile,
        searchAttributes: SEARCH_ATTRIBUTE_NAMES.map((name) =>
          defineSearchAttributeKey(name, SearchAttributeType.KEYWORD),
        ),
      },
    });
    const address = env.address;
    const uiPort = options.ui ? options.uiPort || Number(address.split(':').pop()) + 1000 : null;
    return { address, uiUrl: uiPort ? `http://${ip}:${uiPort}` : null, pid: null, stop: () => env.teardown() };
  } catch (error) {
    throw new ProvisioningError(
      noTemporalParagraph(
        `no Temporal CLI was found, Go is not installed, ` +
          `and the SDK download failed (${(error as Error).message.split('\n')[0]}).`,
      ),
    );
  }
}
