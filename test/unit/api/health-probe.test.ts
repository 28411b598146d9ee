import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { answeredAtOnce, probeProblem } from '../../../api/health-probe.js';

/** Shaped like @grpc/grpc-js's ServiceError, which the client's gRPC calls reject with. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;
const GET_SYSTEM_INFO = '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo';

describe('probeProblem', () => {
  it('counts a rate-limit answer as reachable, bare or wrapped in the client ServiceError', () => {
    const limited = grpcError(RESOURCE_EXHAUSTED, 'namespace rate limit exceeded');
    expect(probeProblem(limited)).toBeNull();
    expect(probeProblem(new ServiceError('Failed to connect to Temporal server', { cause: limited }))).toBeNull();
  });

  it('names the reason for an unreachable server, a missed deadline and any other error', () => {
    expect(probeProblem(grpcError(UNAVAILABLE, 'No connection established'))).toBe('No connection established');
    expect(probeProblem(grpcError(DEADLINE_EXCEEDED, 'Deadline exceeded'))).toBe('no answer within 2 s');
    expect(probeProblem(new Error('socket hang up'))).toBe('socket hang up');
  });
});

describe('answeredAtOnce', () => {
  it('hands back a rate-limited GetSystemInfo at once, and leaves every other failure to the SDK retries', () => {
    expect(answeredAtOnce(GET_SYSTEM_INFO, { code: RESOURCE_EXHAUSTED })).toBe(true);
    expect(answeredAtOnce(GET_SYSTEM_INFO, { code: UNAVAILABLE })).toBe(false);
    const start = '/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution';
    expect(answeredAtOnce(start, { code: RESOURCE_EXHAUSTED })).toBe(false);
  });
});
