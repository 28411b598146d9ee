import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { assertPortFree, startDevServer } from '../../../devserver/dev-server.js';
import { locateTemporalCli, provisionTemporalCli, ProvisioningError } from '../../../devserver/temporal-cli.js';

const startScript = fileURLToPath(new URL('../../../dist/scripts/start.js', import.meta.url));

describe('Temporal provisioning and the start command', () => {
  it('finds the CLI named by TEMPORAL_CLI_PATH first, and says so when it is not there', async () => {
    const found = await locateTemporalCli();
    expect(found?.type).toBe('path');
    const named = await locateTemporalCli({ ...process.env, TEMPORAL_CLI_PATH: (found as { path: string }).path });
    expect(named).toMatchObject({ source: 'TEMPORAL_CLI_PATH' });
    await expect(locateTemporalCli({ TEMPORAL_CLI_PATH: '/nonexistent/temporal' })).rejects.toThrow(
      /TEMPORAL_CLI_PATH is set to \/nonexistent\/temporal, but no executable is there/,
    );
  });

  it('explains every way out in one paragraph when there is no CLI, no Go and no download', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'shipgate-empty-cache-'));
    const lines: string[] = [];
    const env = { PATH: '/nonexistent', SHIPGATE_CACHE_DIR: cache, HOME: cache };
    const executable = await provisionTemporalCli({ env, log: (line) => lines.push(line) });
    expect(executable).toEqual({ type: 'sdk-download' });
    expect(lines.join('\n')).toMatch(/no Temporal CLI found and no Go toolchain/);
    const error = await startDevServer({ executable, port: 0, ui: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^shipgate cannot start a Temporal server: no Temporal CLI was found, Go is not installed, and the SDK download failed/,
    );
    for (const way of ['TEMPORAL_ADDRESS', 'TEMPORAL_CLI_PATH', 'install Go', 'download', 'docker-compose.yml'])
      expect(message).toContain(way);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('keeps the beginning of the output of a server that exits while starting, and starts it once more on a fixed port', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-crashing-server-'));
    const starts = path.join(dir, 'starts');
    const executable = path.join(dir, 'temporal');
    // A real process that fails the way the binary did: the reason first, then a long stack, exit 2.
    await writeFile(
      executable,
      [
        '#!/bin/sh',
        `echo start >> '${starts}'`,
        'echo "panic: the reason comes first" >&2',
        'i=0; while [ $i -lt 80 ]; do echo "goroutine frame $i" >&2; i=$((i+1)); done',
        'exit 2',
      ].join('\n'),
      { mode: 0o755 },
    );
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const error = await startDevServer({
      executable: { type: 'path', path: executable, source: 'PATH' },
      port,
      ui: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    const message = (error as Error).message;
    expect(message).toMatch(/exited \(2\) while starting/);
    expect(message).toContain('panic: the reason comes first');
    expect(message).toContain('goroutine frame 79');
    expect(message).not.toContain('goroutine frame 40');
    expect((await readFile(starts, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('says clearly that a port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(assertPortFree('127.0.0.1', port, 'Temporal gRPC', 'Choose another.')).rejects.toThrow(
        new RegExp(`Port ${port} on 127\\.0\\.0\\.1 \\(Temporal gRPC\\) is already in use.*Choose another\\.`),
      );
      const cli = await locateTemporalCli();
      await expect(startDevServer({ executable: cli!, port, ui: false })).rejects.toThrow(/is already in use/);
    } finally {
      blocker.close();
    }
  });

  it('stops the start command with one clear line for a bad configuration file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-bad-config-'));
    const file = path.join(dir, 'shipgate.config.yaml');
    await writeFile(file, 'repositories:\n  - id: webshop\n    path: .\n    test: { command: "npm test" }\n');
    const result = await execa(process.execPath, [startScript], {
      cwd: dir,
      env: { SHIPGATE_CONFIG: file },
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(`shipgate: ${file}: repositories[0].test.command must be array`);
  });
});
