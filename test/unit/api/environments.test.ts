import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../../api/environments.js';
import { toErrorBody } from '../../../api/errors.js';

describe('refusalOf', () => {
  it("answers an update's refusal with the catalogue code its ApplicationFailure names, and its message", () => {
    const refused = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({
        type: 'SHIPGATE_ENVIRONMENT_PINNED',
        message: 'production is pinned by ana: release freeze',
        nonRetryable: true,
      }),
    );
    expect(toErrorBody(refusalOf(refused))).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'SHIPGATE_ENVIRONMENT_PINNED',
      message: 'production is pinned by ana: release freeze',
    });
  });

  it('finds the code under the layers Temporal wraps it in', () => {
    const inner = ApplicationFailure.create({ type: 'SHIPGATE_UNKNOWN_ENVIRONMENT', message: 'no environment qa' });
    const wrapped = new WorkflowUpdateFailedError('Workflow Update failed', new Error('outer', { cause: inner }));
    expect(refusalOf(wrapped)).toMatchObject({ code: 'SHIPGATE_UNKNOWN_ENVIRONMENT', status: 404 });
  });

  it('is a 400 with the message for a type outside the catalogue, and nothing for other errors', () => {
    const odd = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ type: 'SomethingElse', message: 'odd' }),
    );
    expect(refusalOf(odd)).toMatchObject({ code: 'SHIPGATE_BAD_REQUEST', message: 'odd' });
    expect(refusalOf(new Error('connection reset'))).toBeNull();
  });
});
