import { Type, type Static, type TSchema } from 'typebox';
import { DEPLOY_OUTCOMES, TRIGGERS } from '../../vocabulary/messages.js';
import { ROLES } from '../../vocabulary/identity.js';
import {
  ENVIRONMENT_REQUEST_KINDS,
  ENVIRONMENT_REQUEST_STATUSES,
  PROMOTION_OUTCOMES,
  PROMOTION_STEP_STATUSES,
  type ApprovalProgress as ApprovalProgressMessage,
  type GateDecision as GateDecisionMessage,
  type EnvironmentPin as EnvironmentPinMessage,
  type EnvironmentRequestAnswer as EnvironmentRequestAnswerMessage,
  type EnvironmentState as EnvironmentStateMessage,
  type EnvironmentVersion as EnvironmentVersionMessage,
  type LedgerEntry as LedgerEntryMessage,
  type PendingRequest as PendingRequestMessage,
  type PromotionResult as PromotionResultMessage,
  type PromotionState as PromotionStateMessage,
  type PromotionStep as PromotionStepMessage,
} from '../../vocabulary/environments.js';
import { sameShape, type Flattened } from './same-shape.js';
import { WorkflowId } from '../schemas.js';

/*
 * What the environment routes answer. The serializer drops every property a schema does not name,
 * so each shape taken from a message in vocabulary/environments.ts is checked against it at
 * compile time, as the run states are (api/state-schemas.ts).
 */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** As the configuration writes environment names. */
export const EnvironmentName = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{0,62}$',
  description: "One of the repository's configured environments, such as staging or production",
});

/** A released version, as `POST /repos/:id/deployments` takes it: 1.4.2 or v1.4.2. */
export const Version = Type.String({
  pattern: '^v?(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z.-]{1,40})?$',
  maxLength: 64,
  description: 'A released version such as 1.4.2',
});

export const EnvironmentParams = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' }),
  env: EnvironmentName,
});

const Trigger = Type.Enum(TRIGGERS);
const RequestKind = Type.Enum(ENVIRONMENT_REQUEST_KINDS, {
  description: 'release: handed over by a release; promotion: from the environment before; manual: by hand',
});
const RequestStatus = Type.Enum(ENVIRONMENT_REQUEST_STATUSES);

export const EnvironmentVersion = Type.Object({
  version: Type.String(),
  tag: Type.String(),
  since: Type.String(),
  report: Nullable(Type.String({ description: 'The deploy report in context/ that records it' })),
  verified: Type.Boolean({ description: 'False when it is in place but was not verified healthy' }),
  by: Type.Optional(
    Nullable(
      Type.Object(
        { requestId: Type.String(), replyTo: Nullable(Type.String()) },
        { description: 'The request that made it live; null for a version known only from the deploy reports' },
      ),
    ),
  ),
});
sameShape<Static<typeof EnvironmentVersion>, EnvironmentVersionMessage>(true);

export const EnvironmentPin = Type.Object(
  {
    by: Type.String(),
    reason: Type.String(),
    at: Type.String(),
    version: Nullable(Type.String({ description: 'The version live when it was pinned' })),
    automatic: Type.Boolean({ description: 'True when a rollback pinned it' }),
  },
  { description: 'While pinned nothing deploys there: automatic requests wait (held), requests by hand are refused' },
);
sameShape<Static<typeof EnvironmentPin>, EnvironmentPinMessage>(true);

/** What a pending request and a ledger entry both say of the request itself. */
const RequestFields = {
  requestId: Type.String(),
  version: Type.String(),
  kind: RequestKind,
  trigger: Trigger,
  requestedBy: Type.String(),
  from: Nullable(Type.String()),
  firstCommitAt: Type.Optional(
    Nullable(Type.String({ description: 'When the oldest commit of the release was made (for the lead time)' })),
  ),
  approvedBy: Type.Optional(Type.Array(Type.String(), { description: 'Who approved it into the environment' })),
};

export const PendingRequest = Type.Object({
  ...RequestFields,
  replyTo: Nullable(Type.String()),
  waitIfPinned: Type.Boolean(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('held'), Type.Literal('deploying')]),
  requestedAt: Type.String(),
  deployment: Nullable(Type.String({ description: 'While deploying: its deployment, deploy:<repo>:<environment>' })),
});
sameShape<Static<typeof PendingRequest>, PendingRequestMessage>(true);

export const EnvironmentLedgerEntry = Type.Object({
  ...RequestFields,
  requestedAt: Type.String(),
  startedAt: Nullable(Type.String()),
  endedAt: Type.String(),
  outcome: Type.Enum([...DEPLOY_OUTCOMES, 'superseded', 'refused'] as const),
  reason: Type.String(),
  report: Nullable(Type.String()),
  deployment: Nullable(Type.Object({ workflowId: Type.String(), runId: Type.String() })),
});
sameShape<Static<typeof EnvironmentLedgerEntry>, LedgerEntryMessage>(true);

/** What pin and unpin answer: the environment's whole state, as its workflow keeps it. */
export const EnvironmentStateAnswer = Type.Object(
  {
    kind: Type.Literal('environment'),
    repoId: Type.String(),
    environment: Type.String(),
    live: Nullable(EnvironmentVersion),
    lastGood: Nullable(EnvironmentVersion),
    pinned: Nullable(EnvironmentPin),
    pending: Type.Array(PendingRequest),
    ledger: Type.Array(EnvironmentLedgerEntry, { description: 'Newest last' }),
    ledgerTotal: Type.Integer(),
    pinHistory: Type.Array(
      Type.Object({
        by: Type.String(),
        reason: Type.String(),
        at: Type.String(),
        version: Nullable(Type.String()),
        automatic: Type.Boolean(),
        unpinnedAt: Nullable(Type.String()),
        unpinnedBy: Nullable(Type.String()),
        unpinReason: Nullable(Type.String()),
      }),
    ),
    generation: Type.Integer(),
    updatedAt: Type.String(),
  },
  { description: 'The state of an environment' },
);
sameShape<Omit<Static<typeof EnvironmentStateAnswer>, 'pinHistory'>, Omit<EnvironmentStateMessage, 'pinHistory'>>(true);
sameShape<
  Static<typeof EnvironmentStateAnswer>['pinHistory'][number],
  Flattened<EnvironmentStateMessage['pinHistory'][number]>
>(true);

const FreezeSpan = Type.Object({
  from: Type.String(),
  until: Type.String(),
  reason: Nullable(Type.String()),
});

const EnvironmentFreezes = Type.Object(
  {
    windows: Type.Integer({ description: 'How many freeze windows the environment has configured' }),
    open: Nullable(
      Type.Object(
        { ...FreezeSpan.properties },
        { description: 'The window open now; `until` ends the whole frozen stretch (windows that follow on)' },
      ),
    ),
    coming: Type.Array(FreezeSpan, { description: 'The next windows that open, soonest first' }),
  },
  { description: 'Its freeze windows, now: a promotion that meets an open one waits for its end' },
);

export const EnvironmentView = Type.Object({
  name: Type.String(),
  after: Nullable(Type.String({ description: 'The environment it is promoted from; null for the first' })),
  soakMs: Type.Integer({ description: 'How long a version stays healthy in `after` before it comes here' }),
  autoPromote: Type.Boolean({ description: 'False: a promotion waits for POST …/promotions' }),
  workflowId: Type.String({ description: 'environment:<repo>:<name>, the workflow that owns it' }),
  started: Type.Boolean({
    description: 'False while its workflow has not run yet: what it shows comes from the signed deploy reports',
  }),
  live: Nullable(EnvironmentVersion),
  lastGood: Nullable(EnvironmentVersion),
  pinned: Nullable(EnvironmentPin),
  pending: Type.Array(PendingRequest, { description: 'Queued, held and deploying requests, in the order they run' }),
  ledger: Type.Array(EnvironmentLedgerEntry, { description: 'The newest `limit` entries, newest first' }),
  ledgerTotal: Type.Integer({ description: 'How many entries its ledger has had in all' }),
  updatedAt: Nullable(Type.String()),
  freeze: EnvironmentFreezes,
});
export type EnvironmentViewAnswer = Static<typeof EnvironmentView>;

export const EnvironmentsAnswer = Type.Object(
  {
    repoId: Type.String(),
    promotes: Type.Boolean({ description: 'True when the configuration lists `environments:`' }),
    environments: Type.Array(EnvironmentView, { description: 'In promotion order' }),
    warnings: Type.Array(Type.String(), { description: 'One line per deploy report left out of a fallback read' }),
  },
  { description: "A repository's environments: what is live, last good, pinned and pending in each" },
);
export type EnvironmentsAnswer = Static<typeof EnvironmentsAnswer>;

export const RequestAnswer = Type.Object({
  requestId: Type.String(),
  environment: Type.String(),
  version: Type.String(),
  status: RequestStatus,
  reason: Type.String(),
  superseded: Type.Array(Type.String()),
});
sameShape<Static<typeof RequestAnswer>, EnvironmentRequestAnswerMessage>(true);

const GateDecision = Type.Object(
  {
    by: Type.String(),
    role: Type.Enum(ROLES),
    reason: Nullable(Type.String()),
    at: Type.String(),
    via: Type.Union([Type.Literal('api'), Type.Literal('signal')]),
  },
  { description: "One person's approval, denial or override" },
);
sameShape<Static<typeof GateDecision>, GateDecisionMessage>(true);

export const ApprovalProgress = Type.Object(
  {
    required: Type.Integer(),
    from: Type.Array(Type.String(), { description: 'Token names or roles that may approve' }),
    notAuthor: Type.Boolean(),
    expiresAt: Type.String(),
    approvals: Type.Array(GateDecision),
    denial: Nullable(GateDecision),
    override: Nullable(GateDecision),
  },
  { description: 'Where the approvals of the version into the environment stand' },
);
sameShape<Static<typeof ApprovalProgress>, ApprovalProgressMessage>(true);

export const PromotionStep = Type.Object({
  environment: Type.String(),
  after: Nullable(Type.String()),
  status: Type.Enum(PROMOTION_STEP_STATUSES),
  reason: Nullable(Type.String()),
  since: Nullable(Type.String()),
  soakEndsAt: Nullable(Type.String()),
  deployment: Nullable(Type.String()),
  report: Nullable(Type.String()),
  approval: Type.Optional(ApprovalProgress),
  freeze: Type.Optional(
    Nullable(
      Type.Object(
        { from: Type.String(), until: Type.String(), reason: Nullable(Type.String()) },
        { description: 'While frozen: the open window the promotion waits out' },
      ),
    ),
  ),
  freezeOverride: Type.Optional(Nullable(GateDecision)),
});
sameShape<Static<typeof PromotionStep>, PromotionStepMessage>(true);

const PromotionOutcome = Type.Enum(PROMOTION_OUTCOMES);

export const PromotionState = Type.Object({
  kind: Type.Literal('promotion'),
  repoId: Type.String(),
  version: Type.String(),
  stage: Type.String(),
  startedAt: Type.String(),
  steps: Type.Array(PromotionStep, { description: 'One per environment, in promotion order' }),
  reached: Type.Array(Type.String(), { description: 'Where the version is live and healthy, in the order reached' }),
  outcome: Nullable(PromotionOutcome),
  reason: Nullable(Type.String()),
});
sameShape<Static<typeof PromotionState>, PromotionStateMessage>(true);

const PromotionResult = Type.Object({
  repoId: Type.String(),
  version: Type.String(),
  outcome: PromotionOutcome,
  reached: Type.Array(Type.String()),
  reason: Type.String(),
});
sameShape<Static<typeof PromotionResult>, PromotionResultMessage>(true);

/** A promotion run as a release's view shows it: how far the released version got. */
export const PromotionRun = Type.Object(
  {
    workflowId: WorkflowId,
    runId: Type.String(),
    status: Type.String(),
    state: Nullable(PromotionState),
    result: Type.Optional(PromotionResult),
    failure: Type.Optional(Type.String()),
  },
  { description: 'promotion:<repo>:<version>, which takes the released version through the environments' },
);
export type PromotionRunAnswer = Static<typeof PromotionRun>;

export const PromoteAnswer = Type.Object({
  environment: Type.String(),
  version: Type.String(),
  workflowId: Type.String({
    description:
      'What carries the request: promotion:<repo>:<version> when it awaited this, else environment:<repo>:<env>',
  }),
  status: Type.String({ description: 'Where the request stands: queued, deploying, held…' }),
  reason: Type.String(),
});
export type PromoteAnswer = Static<typeof PromoteAnswer>;

export const PinBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Why, shown in the environment and its pin history',
    }),
    by: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "Who asks: the token holder's name (the default); only the single shared token may name someone else",
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /repos/:id/deployments` of a repository with `environments:`: the request as the environment took it. */
export const DeploymentRequestAnswer = Type.Object({
  workflowId: WorkflowId,
  runId: Type.String(),
  environment: Type.Optional(Type.String({ description: 'For a repository with environments: where it goes' })),
  requestId: Type.Optional(Type.String()),
  status: Type.Optional(RequestStatus),
  reason: Type.Optional(Type.String()),
});
