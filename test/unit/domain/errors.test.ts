import { describe, expect, it } from 'vitest';
import { ERRORS, ShipgateError, type ErrorCode } from '../../../domain/errors.js';

describe('the error catalogue', () => {
  it.each(Object.entries(ERRORS))('%s has a status, a title and whether it is retried', (_code, entry) => {
    expect(Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599).toBe(true);
    expect(entry.title.trim()).not.toBe('');
    expect(typeof entry.retryable).toBe('boolean');
  });

  it('retries only the transient faults of a remote, a publish step up to its retries, and a notification', () => {
    const retryable = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code].retryable);
    expect(retryable.sort()).toEqual([
      'SHIPGATE_NOTIFY_FAILED',
      'SHIPGATE_PUBLISH_FAILED',
      'SHIPGATE_PUSH_FAILED',
      'SHIPGATE_REMOTE_UNREACHABLE',
    ]);
  });

  it.each([
    'SHIPGATE_NOT_DEPLOYABLE',
    'SHIPGATE_CANCELLED',
    'SHIPGATE_TAG_EXISTS',
    'SHIPGATE_REMOTE_UNREACHABLE',
    'SHIPGATE_PUSH_FAILED',
  ] as const)('holds %s, which activities throw', (code) => {
    expect(new ShipgateError(code)).toMatchObject({ code, status: ERRORS[code].status, message: ERRORS[code].title });
  });
});
