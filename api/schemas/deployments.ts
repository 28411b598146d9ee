import { Type } from 'typebox';
import { DEPLOY_DECISIONS } from '../../vocabulary/messages.js';
import { errorResponses, WorkflowId } from '../schemas.js';

/** Sent to a release or to a deployment directly: both routes pass it on to the deployment. */
export const Decision = Type.Enum(DEPLOY_DECISIONS, {
  description: 'What the deployment that awaits a decision does next',
});

/** `POST /releases/:workflowId/:decision` and `POST /deployments/:workflowId/:decision` take and answer the same. */
export const DecisionRoute = {
  params: Type.Object({ workflowId: WorkflowId, decision: Decision }),
  body: Type.Optional(Type.Object({}, { additionalProperties: false })),
  response: {
    200: Type.Object({ accepted: Decision, stage: Type.String(), deployWorkflowId: WorkflowId }),
    ...errorResponses(400, 401, 404, 409, 413, 415, 503),
  },
};
