import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { locatePostgres, provisionPostgres } from '../../../devserver/postgres.js';
import { ProvisioningError } from '../../../devserver/temporal-cli.js';
import { provisionTemporalServer, startTemporalCluster } from '../../../devserver/temporal-server.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../../vocabulary/search-attributes.js';
import { clusterLane } from './lane.js';

const lane = await clusterLane();

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('provisioning the production-like cluster', () => {
  it('says what is missing when the server is not cached and there is no Go to build it', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'shipgate-cache-'));
    try {
      const attempt = provisionTemporalServer({
        env: { ...process.env, SHIPGATE_CACHE_DIR: cache, PATH: '/nonexistent' },
        log: () => {},
      });
      await expect(attempt).rejects.toBeInstanceOf(ProvisioningError);
      await expect(attempt).rejects.toThrow(
        /Temporal server 1\.29\.1 is not in .*, and there is no Go toolchain to build it/,
      );
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('names a PostgreSQL folder that lacks the server programs, and installs nothing then', async () => {
    const env = { ...process.env, SHIPGATE_POSTGRES_BIN: '/nonexistent/bin' };
    expect(await locatePostgres(env)).toEqual({
      missing: expect.stringContaining('SHIPGATE_POSTGRES_BIN is set to /nonexistent/bin'),
    });
    await expect(provisionPostgres({ env, log: () => {} })).rejects.toThrow(
      /lacks initdb, pg_ctl, postgres.*SHIPGATE_POSTGRES_BIN/s,
    );
  });
});

describe.skipIf('skip' in lane)('a Temporal server on PostgreSQL', () => {
  it("serves the namespace with shipgate's search attributes, restarts on the same database, and leaves nothing behind", async () => {
    if ('skip' in lane) return;
    const cluster = await startTemporalCluster({ server: await provisionTemporalServer(), postgres: lane.postgres });
    let stopped = false;
    try {
      expect(Number(cluster.address.split(':')[1])).toBeLessThan(32_768);
      const connection = await Connection.connect({ address: cluster.address });
      try {
        const listed = await connection.operatorService.listSearchAttributes({ namespace: cluster.namespace });
        expect(Object.keys(listed.customAttributes ?? {})).toEqual(expect.arrayContaining([...SEARCH_ATTRIBUTE_NAMES]));
        // A run started before the restart is still there after it: the state lives in PostgreSQL.
        const client = new Client({ connection, namespace: cluster.namespace });
        const handle = await client.workflow.start('nobodyPollsThis', {
          taskQueue: 'cluster-smoke',
          workflowId: 'cluster-smoke',
          args: [],
        });
        const firstPid = cluster.pid();
        await cluster.restart();
        expect(cluster.pid()).not.toBe(firstPid);
        expect((await client.workflow.getHandle(handle.workflowId).describe()).runId).toBe(handle.firstExecutionRunId);
        await handle.terminate('smoke test done');
      } finally {
        await connection.close();
      }
      const pid = cluster.pid()!;
      await cluster.stop();
      stopped = true;
      expect(() => process.kill(pid, 0)).toThrow();
      expect(await refused(Number(cluster.address.split(':')[1]))).toBe(true);
      expect(cluster.folders).toHaveLength(2);
      for (const folder of cluster.folders) expect(existsSync(folder), folder).toBe(false);
    } finally {
      if (!stopped) await cluster.stop();
    }
  });
});
