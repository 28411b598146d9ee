import { Type } from 'typebox';
import { RepoId } from '../config/schema.js';

export const RepoIdParams = Type.Object({ id: RepoId });

/** Business IDs such as `qa:<repo>:<sha>`, `release:<repo>`, `deploy:<repo>:<env>`. */
export const WorkflowId = Type.String({
  pattern: '^[a-z0-9._:-]{1,200}$',
  maxLength: 200,
  description: 'A shipgate workflow ID such as qa:<repo>:<sha>, release:<repo> or deploy:<repo>:<environment>',
});

export const WorkflowIdParams = Type.Object({ workflowId: WorkflowId });

/** POST bodies for actions that take no options yet: nothing, or `{}`. */
export const NoOptions = Type.Object(
  {},
  { additionalProperties: false, description: 'No options: send no body, or {}' },
);

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer({ description: 'The HTTP status code' }),
    error: Type.String({ description: 'The HTTP reason phrase' }),
    code: Type.String({ description: 'A stable shipgate error code, such as SHIPGATE_REPO_NOT_FOUND' }),
    message: Type.String({ description: 'What went wrong, for a person to read' }),
    workflowId: Type.Optional(Type.String({ description: 'For conflicts: the ID of the run in the way' })),
  },
  { description: 'An error' },
);

/** The error responses a route documents, keyed by status code. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponse])) as Record<S, typeof ErrorResponse>;
}

/** A body's `by`: only the single shared token may name someone; a person's token names its holder. */
export const BY_DESCRIPTION =
  "Who asks: the token holder's name (the default); only the single shared token may name someone else";

/** The body of a cancellation: why, and who asks (both shown in the run's state). */
export const CancelBody = Type.Object(
  {
    reason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'Why the run is cancelled (default: none given)' }),
    ),
    by: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: BY_DESCRIPTION })),
  },
  { additionalProperties: false },
);

export const CancelAnswer = Type.Object({
  workflowId: WorkflowId,
  runId: Type.String(),
  status: Type.String({
    description: 'CANCELLED once the run has ended; RUNNING while it is still undoing its local state',
  }),
  by: Type.String(),
  reason: Type.String(),
  undone: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'What the run undid or ended, one line each; null while it has not finished',
  }),
});

export function cancelRequestOf(by: string, body: { reason?: string } | undefined): { by: string; reason: string } {
  return { by, reason: body?.reason ?? 'no reason given' };
}
