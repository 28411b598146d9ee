import { describe, expect, it } from 'vitest';
import type { RunSettings } from '../../../activities/pinning.js';
import {
  DEPLOY_COMMAND,
  DEPLOY_STEP,
  GIT_STEP,
  lostWorkerAfterMs,
  pinned,
  QA_STEP,
  SHORT,
  TESTS,
  unpinned,
  WAITING,
} from '../../../workflows/activity-options.js';

const settings: RunSettings = {
  repoId: 'app',
  branch: 'main',
  testTimeoutMs: 300_000,
  heartbeatTimeoutMs: 20_000,
  deploy: {
    environment: 'production',
    timeoutMs: 900_000,
    retries: 0,
    autoRollback: true,
    decisionTimeoutMs: 86_400_000,
  },
  health: null,
};
const pin = { taskQueue: 'shipgate@worker-1', settings };
// A pinned step waits twice the heartbeat timeout on its worker's queue before the worker counts as lost.
const onPin = { taskQueue: 'shipgate@worker-1', heartbeatTimeout: 20_000, scheduleToStartTimeout: 40_000 };

describe('activity profiles', () => {
  // Each row is the option object a workflow wrote out by hand before the profiles existed.
  it.each([
    ['SHORT', SHORT, { ...onPin, startToCloseTimeout: '2m', retry: { maximumAttempts: 3 } }],
    ['DEPLOY_STEP', DEPLOY_STEP, { ...onPin, startToCloseTimeout: '2m', retry: { maximumAttempts: 5 } }],
    ['GIT_STEP', GIT_STEP, { ...onPin, startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } }],
    ['QA_STEP', QA_STEP, { ...onPin, startToCloseTimeout: '10m', retry: { maximumAttempts: 3 } }],
    ['TESTS', TESTS, { ...onPin, startToCloseTimeout: 300_000 + 120_000, retry: { maximumAttempts: 2 } }],
    [
      'DEPLOY_COMMAND',
      DEPLOY_COMMAND,
      { ...onPin, startToCloseTimeout: 900_000 + 60_000, retry: { maximumAttempts: 2 } },
    ],
  ] as const)(
    '%s on the pinned queue has its timeout, its attempts and the configured heartbeat timeout',
    (_name, profile, expected) => {
      expect(pinned(pin, profile)).toStrictEqual(expected);
    },
  );

  it('gives a deploy without a configured timeout the default ten minutes and one more', () => {
    expect(pinned({ ...pin, settings: { ...settings, deploy: null } }, DEPLOY_COMMAND).startToCloseTimeout).toBe(
      600_000 + 60_000,
    );
  });

  it('leaves the retry policy of a wait to the server: it has no retry key at all', () => {
    expect(pinned(pin, WAITING)).toStrictEqual({ ...onPin, startToCloseTimeout: '6h' });
  });

  it('names no error types: whether a failure is retried is its own flag', () => {
    for (const profile of [SHORT, DEPLOY_STEP, GIT_STEP, QA_STEP, TESTS, DEPLOY_COMMAND, WAITING]) {
      expect(pinned(pin, profile).retry?.nonRetryableErrorTypes).toBeUndefined();
    }
  });

  it('counts a worker as lost after twice the heartbeat timeout, never sooner than 15 s', () => {
    expect(lostWorkerAfterMs({ heartbeatTimeoutMs: 20_000 })).toBe(40_000);
    expect(lostWorkerAfterMs({ heartbeatTimeoutMs: 3_000 })).toBe(15_000);
  });

  it('keeps the shared queue options as they were', () => {
    expect(unpinned({ maximumAttempts: 5 })).toStrictEqual({
      startToCloseTimeout: '1m',
      heartbeatTimeout: '10s',
      retry: { maximumAttempts: 5 },
    });
  });
});
