import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities/index.js';
import { parseConfig } from '../../../config/load.js';
import { TEST_REPORT_KEYS } from '../../helpers/temporal.js';

const config = parseConfig('repositories:\n  - id: r\n    path: /nonexistent\n    test: { command: ["true"] }\n', {
  file: null,
  env: {},
});
const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });

/** What a worker hands the factory, without a clock: each test adds its own or none. */
const deps = {
  config,
  workerId: 'w',
  taskQueue: 'q',
  logger: pino({ level: 'silent' }),
  client,
  reportKeys: TEST_REPORT_KEYS,
  startRelease: () => Promise.reject(new Error('no trigger starts a release in this test')),
};

describe('createActivities', () => {
  it('gives every step the clock it was given', async () => {
    const fixed = new Date('2026-03-04T05:06:07.000Z');
    const activities = createActivities({ ...deps, now: () => fixed });
    expect((await activities.probeHealth({ repoId: 'r', expectedVersion: null })).at).toBe(fixed.toISOString());
  });

  it('falls back to the system clock', async () => {
    const activities = createActivities(deps);
    const before = Date.now();
    expect(
      Date.parse((await activities.probeHealth({ repoId: 'r', expectedVersion: null })).at),
    ).toBeGreaterThanOrEqual(before);
  });
});
