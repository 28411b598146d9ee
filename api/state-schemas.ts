import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { Type, type Static, type TSchema } from 'typebox';
import {
  DEPLOY_OUTCOMES,
  type DeployDecision,
  PUBLISH_DECISIONS,
  PUBLISH_STATUSES,
  QA_OUTCOMES,
  RELEASE_OUTCOMES,
  TRIGGERS,
  type DeployResult as DeployResultMessage,
  type DeployState as DeployStateMessage,
  type HealthSample as HealthSampleMessage,
  type QaResult as QaResultMessage,
  type QaState as QaStateMessage,
  type ReleaseResult as ReleaseResultMessage,
  type ReleaseState as ReleaseStateMessage,
  type StepRecord,
} from '../vocabulary/messages.js';
import {
  DELIVERY_STATUSES,
  NOTIFY_EVENTS,
  RUN_END_STATUSES,
  type NotifierState as NotifierStateMessage,
} from '../vocabulary/notifications.js';
import type { RunSummary as RunSummaryView } from './release-runs.js';
import type { RunView } from './run-views.js';
import { Decision } from './schemas/deployments.js';
import { PromotionRun } from './schemas/environments.js';
import { sameShape } from './schemas/same-shape.js';
import { WorkflowId } from './schemas.js';

/*
 * The run-state schemas are what the API serializes with, and a serializer drops every property its
 * schema does not name. Each one is checked against its message in vocabulary/ at compile time.
 */

export function Nullable<T extends TSchema>(schema: T, options?: { description: string }) {
  return Type.Union([schema, Type.Null()], options);
}

const RUN_STATUSES = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
  'PAUSED',
  'UNSPECIFIED',
  'UNKNOWN',
] as const;
sameShape<(typeof RUN_STATUSES)[number], WorkflowExecutionStatusName>(true);
export const RunStatus = Type.Enum(RUN_STATUSES, { description: 'The Temporal workflow execution status' });

export const Trigger = Type.Enum(TRIGGERS, { description: 'What started the run' });
export const QaOutcome = Type.Enum(QA_OUTCOMES);
const ReleaseOutcome = Type.Enum(RELEASE_OUTCOMES);
const DeployOutcome = Type.Enum(DEPLOY_OUTCOMES);

export const Step = Type.Object({
  name: Type.String(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  summary: Nullable(Type.String()),
});
sameShape<Static<typeof Step>, StepRecord>(true);

/** A run's move off a lost worker (`repin-on-lost-worker`). */
export const Repins = Type.Optional(
  Type.Array(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      step: Type.String({ description: 'The step that waited on the lost worker' }),
      at: Type.String(),
    }),
    { description: "Every move to a live worker after the run's worker was lost; absent from older runs" },
  ),
);

/** What a run that cannot move waits for. */
export const WaitingForWorker = Type.Optional(
  Nullable(
    Type.Object(
      { workerId: Type.String(), step: Type.String(), since: Type.String(), reason: Type.String() },
      {
        description:
          "Set while the run waits for a lost worker it cannot leave (a path repository lives on that worker's host)",
      },
    ),
  ),
);

export const HealthSample = Type.Object({
  at: Type.String(),
  status: Nullable(Type.Integer()),
  latencyMs: Type.Number(),
  version: Nullable(Type.String()),
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
});
sameShape<Static<typeof HealthSample>, HealthSampleMessage>(true);

const IgnoredSignal = Type.Object(
  {
    value: Type.String({ description: 'What was sent, as JSON when it was not a string' }),
    at: Type.String(),
    expected: Type.Array(Decision, { description: 'The decisions the run would have taken at that moment' }),
    reason: Type.String(),
  },
  { description: 'A `decide` signal the run did not act on' },
);

const Cancellation = Nullable(
  Type.Object(
    {
      by: Type.String({ description: 'Who asked' }),
      reason: Type.String(),
      at: Type.String(),
      undone: Type.Array(Type.String(), { description: 'What the run undid or ended, one line each' }),
    },
    { description: 'Set once the run was asked to cancel (POST …/cancel)' },
  ),
);

export const DeployState = Type.Object(
  {
    kind: Type.Literal('deploy'),
    repoId: Type.String(),
    environment: Type.String(),
    version: Type.String(),
    tag: Type.String(),
    previousVersion: Nullable(
      Type.String({ description: 'What was live and verified healthy before this run, from the deploy ledger' }),
    ),
    rollbackTarget: Type.Optional(
      Nullable(Type.String({ description: 'The version a rollback goes back to; null when rollback is not offered' })),
    ),
    rollbackNote: Type.Optional(
      Nullable(Type.String({ description: 'Where the rollback target comes from, or why there is none' })),
    ),
    stage: Type.String(),
    startedAt: Type.String(),
    attempts: Type.Integer(),
    deploying: Nullable(Type.String()),
    awaitingDecision: Type.Boolean(),
    decisionsAllowed: Type.Array(Decision),
    decisionDeadline: Nullable(Type.String()),
    failedAttempt: Type.Optional(
      Nullable(
        Type.String({
          description: 'While a decision is awaited: the attempt that failed last, the release or its rollback',
        }),
      ),
    ),
    decisionEffects: Type.Optional(
      Nullable(
        Type.Object(
          {
            retry: Type.Optional(Type.String()),
            rollback: Type.Optional(Type.String()),
            abandon: Type.Optional(Type.String()),
          } satisfies Record<DeployDecision, unknown>,
          { description: 'While a decision is awaited: what each allowed decision would do' },
        ),
      ),
    ),
    decisions: Type.Array(
      Type.Object({
        decision: Decision,
        at: Type.String(),
        by: Type.Optional(Type.String({ description: 'Who decided, for a decision sent through the API' })),
      }),
    ),
    lastError: Nullable(Type.String()),
    lastOutput: Type.Array(Type.String()),
    samples: Type.Array(HealthSample),
    outcome: Nullable(DeployOutcome),
    reason: Nullable(Type.String()),
    report: Nullable(Type.String()),
    repins: Repins,
    ignoredSignals: Type.Optional(Type.Array(IgnoredSignal)),
    cancellation: Type.Optional(Cancellation),
  },
  { description: 'The live state of a deployment' },
);
sameShape<Static<typeof DeployState>, DeployStateMessage>(true);

const PublishStatus = Type.Enum(PUBLISH_STATUSES);

const PublishRecord = Type.Object({
  name: Type.String(),
  artifact: Type.String({ description: 'What the step publishes, such as sample-app@1.2.0' }),
  status: PublishStatus,
  attempts: Type.Integer(),
  at: Type.Optional(Type.String()),
  by: Type.Optional(Type.String({ description: 'Who skipped or abandoned it; timeout when no decision came' })),
  reason: Type.Optional(Type.String()),
  logFile: Type.Optional(Type.String({ description: "The last attempt's log, on the worker" })),
});

const PublishState = Type.Object(
  {
    steps: Type.Array(PublishRecord),
    awaiting: Nullable(
      Type.Object({
        step: Type.String(),
        error: Type.String(),
        tail: Type.Array(Type.String()),
        since: Type.String(),
        deadline: Type.String(),
        allowed: Type.Array(Type.Enum(PUBLISH_DECISIONS)),
      }),
    ),
  },
  { description: 'The publish steps, and the decision one waits for (POST /releases/:id/retry|skip|abandon)' },
);

export const ReleaseState = Type.Object(
  {
    kind: Type.Literal('release'),
    repoId: Type.String(),
    branch: Type.Optional(
      Type.String({ description: 'The branch released (absent from runs before release channels)' }),
    ),
    channel: Type.Optional(Type.String({ description: 'Its channel: latest for the release branch' })),
    trigger: Trigger,
    requestedBy: Type.Optional(Nullable(Type.String({ description: 'Who started the release' }))),
    stage: Type.String(),
    startedAt: Type.String(),
    version: Nullable(Type.String()),
    previousVersion: Nullable(Type.String()),
    tag: Nullable(Type.String()),
    sourceSha: Nullable(Type.String()),
    releaseCommit: Nullable(Type.String()),
    qa: Nullable(
      Type.Object({
        workflowId: Nullable(Type.String()),
        outcome: Nullable(QaOutcome),
        report: Nullable(Type.String()),
        reused: Type.Boolean(),
      }),
    ),
    steps: Type.Array(Step),
    plan: Nullable(Type.Object({ bump: Nullable(Type.String()), reason: Type.String(), commits: Type.Integer() })),
    deploy: Nullable(Type.Object({ workflowId: Type.String(), state: Nullable(DeployState) })),
    promotion: Type.Optional(Nullable(Type.Object({ workflowId: Type.String() }))),
    publish: Type.Optional(PublishState),
    outcome: Nullable(ReleaseOutcome),
    reason: Nullable(Type.String()),
    repins: Repins,
    waitingForWorker: WaitingForWorker,
    ignoredSignals: Type.Optional(Type.Array(IgnoredSignal)),
    cancellation: Type.Optional(Cancellation),
  },
  { description: 'The live state of a release, with its deployment' },
);
sameShape<Static<typeof ReleaseState>, ReleaseStateMessage>(true);

const ReleaseResult = Type.Object({
  repoId: Type.String(),
  outcome: ReleaseOutcome,
  version: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  releaseCommit: Nullable(Type.String()),
  reason: Type.String(),
  qaReport: Nullable(Type.String()),
  promotion: Type.Optional(Nullable(Type.String())),
  published: Type.Optional(
    Type.Array(Type.Object({ name: Type.String(), artifact: Type.String(), status: PublishStatus })),
  ),
});
sameShape<Static<typeof ReleaseResult>, ReleaseResultMessage>(true);

const DeployResult = Type.Object({
  repoId: Type.String(),
  environment: Type.String(),
  version: Type.String(),
  outcome: DeployOutcome,
  reason: Type.String(),
  attempts: Type.Integer(),
  report: Nullable(Type.String()),
});
sameShape<Static<typeof DeployResult>, DeployResultMessage>(true);

const QaResult = Type.Object({
  repoId: Type.String(),
  sha: Type.String(),
  outcome: QaOutcome,
  report: Type.String({ description: 'The report file written to context/' }),
  reused: Type.Boolean({ description: 'True when a fresh earlier pass was reused instead of running the suite' }),
  reason: Type.String(),
  worker: Type.Optional(
    Type.Object(
      { taskQueue: Type.String(), workerId: Type.String() },
      { description: 'The worker whose working copy holds the report; absent from older runs' },
    ),
  ),
});
sameShape<Static<typeof QaResult>, QaResultMessage>(true);

export const QaState = Type.Object({
  kind: Type.Literal('qa'),
  repoId: Type.String(),
  sha: Type.String(),
  trigger: Trigger,
  requestedBy: Type.Optional(Nullable(Type.String({ description: 'Who asked for the run' }))),
  stage: Type.String(),
  startedAt: Type.String(),
  steps: Type.Array(Step),
  outcome: Nullable(QaOutcome),
  report: Nullable(Type.String()),
  reused: Type.Boolean(),
  reason: Nullable(Type.String()),
  tests: Nullable(
    Type.Object({ passed: Type.Integer(), failed: Type.Integer(), skipped: Type.Integer(), total: Type.Integer() }),
  ),
  coverage: Nullable(Type.Object({ percent: Nullable(Type.Number()), threshold: Type.Number(), gate: Type.String() })),
  lastOutput: Type.Array(Type.String(), { description: 'The last lines the test command printed' }),
  autoRelease: Nullable(
    Type.Object(
      { started: Type.Boolean(), workflowId: Nullable(Type.String()), reason: Type.String() },
      { description: 'For triggered runs of a repository with release.auto: on-qa-pass, what followed the pass' },
    ),
  ),
  repins: Repins,
  waitingForWorker: WaitingForWorker,
});
sameShape<Static<typeof QaState>, QaStateMessage>(true);

function runView<S extends TSchema, R extends TSchema>(state: S, result: R, description: string) {
  return Type.Object(
    {
      workflowId: WorkflowId,
      runId: Type.String(),
      status: RunStatus,
      state: Nullable(state),
      result: Type.Optional(result),
      failure: Type.Optional(Type.String({ description: 'Why the run failed, when it did' })),
    },
    { description },
  );
}

const releaseRunFields = runView(ReleaseState, ReleaseResult, '').properties;

/*
 * The three run views have one shape: the run's state as it keeps it in memo (null only for a run
 * recorded before that which does not answer its state query), and its result once it completed.
 * The CLI reads its types from these schemas (cli/api-types.ts).
 */
export const ReleaseRun = Type.Object(
  {
    ...releaseRunFields,
    promotion: Type.Optional(
      Nullable(PromotionRun, {
        description:
          'For a repository with environments: the promotion the release handed its version to, and how far it got',
      }),
    ),
  },
  { description: 'A release: its state, with its deployment or its promotion, and its result once finished' },
);
export const DeployRun = runView(DeployState, DeployResult, 'A deployment: its state, and its result once finished');
export const QaRun = runView(QaState, QaResult, 'A QA run: its state, and its result once finished');
sameShape<Omit<Static<typeof ReleaseRun>, 'promotion'>, RunView<ReleaseStateMessage, ReleaseResultMessage>>(true);
sameShape<Static<typeof DeployRun>, RunView<DeployStateMessage, DeployResultMessage>>(true);
sameShape<Static<typeof QaRun>, RunView<QaStateMessage, QaResultMessage>>(true);

/** `?runId=`: one run of the ID, as Temporal names runs (a UUID). */
export const RunIdQuery = Type.Object(
  {
    runId: Type.Optional(
      Type.String({
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        description: 'One run of the ID (see …/runs); the latest run when absent',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RunSummary = Type.Object({
  workflowId: WorkflowId,
  runId: Type.String(),
  type: Type.String(),
  status: RunStatus,
  startTime: Type.String(),
  closeTime: Nullable(Type.String()),
  repo: Nullable(Type.String()),
  stage: Nullable(Type.String()),
  version: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  trigger: Nullable(Type.String()),
  branch: Nullable(
    Type.String({ description: 'The branch released or tested; null for runs from before release channels' }),
  ),
});
sameShape<Static<typeof RunSummary>, RunSummaryView>(true);

const LedgerEntry = Type.Object({
  version: Type.String({ description: 'The version the run was asked to deploy' }),
  outcome: Type.String({ description: 'deployed, rolled-back, abandoned or failed' }),
  liveVersion: Nullable(
    Type.String({
      description: 'What was live and verified healthy when the run ended; null when it verified nothing',
    }),
  ),
  trigger: Nullable(Type.String()),
  requestedBy: Nullable(Type.String({ description: 'Who asked: the release run that started the deployment, or api' })),
  startedAt: Nullable(Type.String()),
  endedAt: Type.String(),
  report: Type.String({ description: 'The deploy report in context/ that records the run' }),
  workflowId: Nullable(Type.String()),
  runId: Nullable(Type.String()),
});

export const DeploymentLedger = Type.Object(
  {
    environments: Type.Array(
      Type.Object({
        environment: Type.String(),
        live: Nullable(
          Type.Object(
            {
              version: Type.String(),
              since: Type.String({ description: 'When this version went live' }),
              report: Type.String({ description: 'The newest deploy report that verified it healthy' }),
            },
            { description: 'The version last verified healthy: what a rollback goes back to' },
          ),
        ),
        entries: Type.Array(LedgerEntry, { description: 'Newest first' }),
      }),
    ),
    warnings: Type.Array(Type.String(), { description: 'One line per deploy report left out of the ledger' }),
  },
  { description: "The deploy ledger: the deploy reports in the repository's context/, per environment" },
);

const NotifierDelivery = Type.Object({
  seq: Type.Integer({ minimum: 1, description: "The event's place in its run: 1, 2, 3…" }),
  event: Type.String({ description: `One of ${NOTIFY_EVENTS.join(', ')}` }),
  status: Type.Enum(DELIVERY_STATUSES),
  attempts: Type.Integer({ minimum: 0, description: 'The attempt that delivered it (0 when not known)' }),
  at: Type.String(),
  error: Type.Optional(Type.String({ description: 'Why it failed: the last answer, or the variable that is not set' })),
});

const NotifierState = Type.Object({
  repoId: Type.String(),
  run: Type.Object({ workflowId: WorkflowId, runId: Type.String() }),
  received: Type.Integer({ minimum: 0, description: 'Events the notifier holds so far' }),
  closed: Type.Boolean({ description: 'The run has sent its last event' }),
  runEnded: Type.Optional(
    Type.Object(
      {
        status: Type.Enum(RUN_END_STATUSES),
        reason: Nullable(Type.String({ description: "A termination's reason, a failure's message" })),
        by: Nullable(Type.String({ description: 'Who terminated it, when its close event says' })),
      },
      {
        description:
          'Set when the run closed without sending its last event (terminated, timed out): how it ended, from its close event',
      },
    ),
  ),
  targets: Type.Array(Type.Object({ name: Type.String(), deliveries: Type.Array(NotifierDelivery) })),
});
sameShape<Static<typeof NotifierState>, NotifierStateMessage>(true);

/** `GET /releases/:id/notifications`, `GET /deployments/:id/notifications`. */
export const RunNotifications = Type.Object(
  {
    workflowId: WorkflowId,
    runId: Type.String(),
    notifier: Nullable(
      Type.Object({
        workflowId: WorkflowId,
        status: RunStatus,
        state: Nullable(NotifierState),
      }),
      { description: 'Null when the run sent no event: its repository has no notify targets, or none takes them' },
    ),
  },
  { description: "How a run's notifications went, per target and event" },
);
