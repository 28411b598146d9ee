import { ApplicationFailure, type ApplicationFailureOptions } from '@temporalio/common';
import { ERRORS, type ErrorCode } from '../domain/errors.js';

/**
 * The one way an activity fails on purpose: with a code from the catalogue as the failure type,
 * retried by Temporal only when the catalogue says the fault is transient. The workflows keep no
 * list of codes of their own, so a code's retry behaviour is decided here, once.
 */
export function activityFailure(
  code: ErrorCode,
  message: string,
  options: Omit<ApplicationFailureOptions, 'message' | 'type' | 'nonRetryable'> = {},
): ApplicationFailure {
  return ApplicationFailure.create({ ...options, message, type: code, nonRetryable: !ERRORS[code].retryable });
}
