/**
 * Who asked for a run travels with every activity it schedules, as a header, so that the worker's
 * line for each activity names them (worker/interceptors.ts). The name is the run input's
 * `requestedBy`, when it has one; the commands the workflow issues are unchanged.
 */
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/workflow';
import { REQUESTED_BY_HEADER } from '../vocabulary/identity.js';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let requestedBy: string | null = null;
  const named = <T extends ActivityInput | LocalActivityInput>(input: T): T =>
    requestedBy === null
      ? input
      : {
          ...input,
          headers: { ...input.headers, [REQUESTED_BY_HEADER]: defaultPayloadConverter.toPayload(requestedBy) },
        };
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
      const first: unknown = input.args[0];
      if (typeof first === 'object' && first !== null && 'requestedBy' in first) {
        const name = first.requestedBy;
        if (typeof name === 'string' && name !== '') requestedBy = name;
      }
      return next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => next(named(input)),
    scheduleLocalActivity: (input, next) => next(named(input)),
  };
  return { inbound: [inbound], outbound: [outbound] };
};
