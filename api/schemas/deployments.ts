import { Type } from 'typebox';
import { DEPLOY_DECISIONS, RELEASE_DECISIONS } from '../../vocabulary/messages.js';
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

/**
 * `POST /releases/:workflowId/:decision`: a deployment's decisions, and `skip` for a publish step
 * that waits (retry and abandon reach the publish step too while one waits). A skip needs `reason`.
 */
export const ReleaseDecisionRoute = {
  params: Type.Object({
    workflowId: WorkflowId,
    decision: Type.Enum(RELEASE_DECISIONS, {
      description: 'What the publish step or the deployment that awaits a decision does next',
    }),
  }),
  body: Type.Optional(
    Type.Object(
      {
        reason: Type.Optional(
          Type.String({ minLength: 1, maxLength: 500, description: 'Why; required to skip a publish step' }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  response: {
    200: Type.Object({
      accepted: Type.Enum(RELEASE_DECISIONS),
      stage: Type.String(),
      deployWorkflowId: Type.Optional(WorkflowId),
      publishStep: Type.Optional(Type.String({ description: 'The publish step the decision went to' })),
    }),
    ...errorResponses(400, 401, 404, 409, 413, 415, 503),
  },
};
