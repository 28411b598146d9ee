import { ApplicationFailure } from '@temporalio/workflow';
import type { ErrorCode } from '../domain/errors.js';

/**
 * How a workflow fails on purpose: with a code from the catalogue (domain/errors.ts), so the API
 * and the CLI can name it. A workflow's own failure is final; nothing retries a workflow.
 */
export function workflowFailure(code: ErrorCode, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, code);
}
