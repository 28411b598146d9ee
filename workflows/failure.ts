import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import type { ErrorCode } from '../domain/errors.js';

/**
 * How a workflow fails on purpose: with a code from the catalogue (domain/errors.ts), so the API
 * and the CLI can name it. A workflow's own failure is final; nothing retries a workflow.
 */
export function workflowFailure(code: ErrorCode, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, code);
}

/** The message of a failure, down to the cause that says what went wrong (not "Activity task failed"). */
export function failureMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause && (current instanceof ChildWorkflowFailure || current instanceof ActivityFailure))
    current = current.cause;
  return current?.message ?? String(error);
}
