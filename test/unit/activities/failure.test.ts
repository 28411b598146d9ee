import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { activityFailure } from '../../../activities/failure.js';
import { ERRORS, type ErrorCode } from '../../../domain/errors.js';

describe('activityFailure', () => {
  it.each(Object.keys(ERRORS) as ErrorCode[])('fails with %s as the type, retried as the catalogue says', (code) => {
    const failure = activityFailure(code, 'what happened');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: code, message: 'what happened', nonRetryable: !ERRORS[code].retryable });
  });

  it('leaves a push cut off and an unreachable remote to Temporal to retry, and nothing else', () => {
    expect(activityFailure('SHIPGATE_PUSH_FAILED', 'x').nonRetryable).toBe(false);
    expect(activityFailure('SHIPGATE_REMOTE_UNREACHABLE', 'x').nonRetryable).toBe(false);
    expect(activityFailure('SHIPGATE_TAG_EXISTS', 'x').nonRetryable).toBe(true);
    expect(activityFailure('SHIPGATE_CANCELLED', 'x').nonRetryable).toBe(true);
  });

  it('keeps the details it is given', () => {
    expect(activityFailure('SHIPGATE_HEAD_MOVED', 'moved', { details: [{ sha: 'abc' }] }).details).toEqual([
      { sha: 'abc' },
    ]);
  });

  it('takes only codes from the catalogue', () => {
    // @ts-expect-error a code outside the catalogue does not type-check
    const unknown = () => activityFailure('SHIPGATE_NOT_A_CODE', 'x');
    // Past the compiler (a cast, plain JavaScript), it still builds no failure of an unknown type.
    expect(unknown).toThrow(TypeError);
  });
});
