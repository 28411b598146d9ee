import { Type, type TSchema } from 'typebox';
import { DEPLOY_DECISIONS } from '../vocabulary/messages.js';
import { WorkflowId } from './schemas.js';

export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export const RunStatus = Type.String({ description: 'The Temporal execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, …' });

const Step = Type.Object({ name: Type.String(), startedAt: Type.String(), finishedAt: Nullable(Type.String()), summary: Nullable(Type.String()) });

/** A run's move off a lost worker (`repin-on-lost-worker`). */
export const Repins = Type.Optional(Type.Array(
  Type.Object({ from: Type.String(), to: Type.String(), step: Type.String({ description: 'The step that waited on the lost worker' }), at: Type.String() }),
  { description: 'Every move to a live worker after the run\'s worker was lost; absent from older runs' },
));

/** What a run that cannot move waits for. */
export const WaitingForWorker = Type.Optional(Nullable(Type.Object(
  { workerId: Type.String(), step: Type.String(), since: Type.String(), reason: Type.String() },
  { description: 'Set while the run waits for a lost worker it cannot leave (a path repository lives on that worker\'s host)' },
)));

export const HealthSample = Type.Object({
  at: Type.String(),
  status: Nullable(Type.Integer()),
  latencyMs: Type.Number(),
  version: Nullable(Type.String()),
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
});

export const DeployState = Type.Object(
  {
    kind: Type.Literal('deploy'),
    repoId: Type.String(),
    environment: Type.String(),
    version: Type.String(),
    tag: Type.String(),
    previousVersion: Nullable(Type.String({ description: 'What was live and verified healthy before this run, from the deploy ledger' })),
    rollbackTarget: Type.Optional(Nullable(Type.String({ description: 'The version a rollback goes back to; null when rollback is not offered' }))),
    rollbackNote: Type.Optional(Nullable(Type.String({ description: 'Where the rollback target comes from, or why there is none' }))),
    stage: Type.String(),
    startedAt: Type.String(),
    attempts: Type.Integer(),
    deploying: Nullable(Type.String()),
    awaitingDecision: Type.Boolean(),
    decisionsAllowed: Type.Array(Type.String()),
    decisionDeadline: Nullable(Type.String()),
    failedAttempt: Type.Optional(Nullable(Type.String({ description: 'While a decision is awaited: the attempt that failed last, the release or its rollback' }))),
    decisionEffects: Type.Optional(Nullable(Type.Object(Object.fromEntries(DEPLOY_DECISIONS.map((d) => [d, Type.Optional(Type.String())])), { description: 'While a decision is awaited: what each allowed decision would do' }))),
    decisions: Type.Array(Type.Object({ decision: Type.String(), at: Type.String() })),
    lastError: Nullable(Type.String()),
    lastOutput: Type.Array(Type.String()),
    samples: Type.Array(HealthSample),
    outcome: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    report: Nullable(Type.String()),
  },
  { description: 'The live state of a deployment' },
);

export const ReleaseState = Type.Object(
  {
    kind: Type.Literal('release'),
    repoId: Type.String(),
    trigger: Type.String(),
    stage: Type.String(),
    startedAt: Type.String(),
    version: Nullable(Type.String()),
    previousVersion: Nullable(Type.String()),
    tag: Nullable(Type.String()),
    sourceSha: Nullable(Type.String()),
    releaseCommit: Nullable(Type.String()),
    qa: Nullable(Type.Object({ workflowId: Nullable(Type.String()), outcome: Nullable(Type.String()), report: Nullable(Type.String()), reused: Type.Boolean() })),
    steps: Type.Array(Step),
    plan: Nullable(Type.Object({ bump: Nullable(Type.String()), reason: Type.String(), commits: Type.Integer() })),
    deploy: Nullable(Type.Object({ workflowId: Type.String(), state: Nullable(DeployState) })),
    outcome: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    repins: Repins,
    waitingForWorker: WaitingForWorker,
  },
  { description: 'The live state of a release, with its deployment' },
);

const ReleaseResult = Type.Object({
  repoId: Type.String(),
  outcome: Type.String(),
  version: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  releaseCommit: Nullable(Type.String()),
  reason: Type.String(),
  qaReport: Nullable(Type.String()),
});

const DeployResult = Type.Object({
  repoId: Type.String(),
  environment: Type.String(),
  version: Type.String(),
  outcome: Type.String(),
  reason: Type.String(),
  attempts: Type.Integer(),
  report: Nullable(Type.String()),
});

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

export const ReleaseRun = runView(ReleaseState, ReleaseResult, 'A release: its live state (null when the run cannot be queried), and its result once finished');
export const DeployRun = runView(DeployState, DeployResult, 'A deployment: its live state, and its result once finished');

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
});

const LedgerEntry = Type.Object({
  version: Type.String({ description: 'The version the run was asked to deploy' }),
  outcome: Type.String({ description: 'deployed, rolled-back, abandoned or failed' }),
  liveVersion: Nullable(Type.String({ description: 'What was live and verified healthy when the run ended; null when it verified nothing' })),
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
          Type.Object({
            version: Type.String(),
            since: Type.String({ description: 'When this version went live' }),
            report: Type.String({ description: 'The newest deploy report that verified it healthy' }),
          }, { description: 'The version last verified healthy: what a rollback goes back to' }),
        ),
        entries: Type.Array(LedgerEntry, { description: 'Newest first' }),
      }),
    ),
    warnings: Type.Array(Type.String(), { description: 'One line per deploy report left out of the ledger' }),
  },
  { description: "The deploy ledger: the deploy reports in the repository's context/, per environment" },
);
