import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { RepoId } from '../../config/schema.js';
import { QA_REPORT_KINDS } from '../../context/names.js';
import type { ApiDeps } from '../deps.js';
import { headCommit } from '../head-commit.js';
import { qaRun, recentQaRuns, RECENT_RUNS_LIMIT, startQa } from '../qa-runs.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, NoOptions, RepoIdParams, WorkflowId, WorkflowIdParams } from '../schemas.js';
import { Repins, WaitingForWorker } from '../state-schemas.js';

const Sha = Type.String({ pattern: '^[0-9a-f]{40}$', description: 'A full commit SHA' });
const Outcome = Type.Enum(QA_REPORT_KINDS);
const Status = Type.Enum(
  ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'PAUSED', 'UNSPECIFIED', 'UNKNOWN'],
  { description: 'The Temporal workflow execution status' },
);

const QaResult = Type.Object({
  repoId: Type.String(),
  sha: Type.String(),
  outcome: Outcome,
  report: Type.String({ description: 'The report file written to context/' }),
  reused: Type.Boolean({ description: 'True when a fresh earlier pass was reused instead of running the suite' }),
  reason: Type.String(),
});

const QaState = Type.Object({
  kind: Type.Literal('qa'),
  repoId: Type.String(),
  sha: Type.String(),
  trigger: Type.Enum(['manual', 'watch', 'webhook', 'auto', 'train']),
  stage: Type.String(),
  startedAt: Type.String(),
  steps: Type.Array(
    Type.Object({ name: Type.String(), startedAt: Type.String(), finishedAt: Nullable(Type.String()), summary: Nullable(Type.String()) }),
  ),
  outcome: Nullable(Outcome),
  report: Nullable(Type.String()),
  reused: Type.Boolean(),
  reason: Nullable(Type.String()),
  tests: Nullable(Type.Object({ passed: Type.Integer(), failed: Type.Integer(), skipped: Type.Integer(), total: Type.Integer() })),
  coverage: Nullable(Type.Object({ percent: Nullable(Type.Number()), threshold: Type.Number(), gate: Type.String() })),
  lastOutput: Type.Array(Type.String(), { description: 'The last lines the test command printed' }),
  repins: Repins,
  waitingForWorker: WaitingForWorker,
});

const QaRun = Type.Object(
  {
    ...Type.Partial(QaState).properties,
    workflowId: WorkflowId,
    runId: Type.String(),
    status: Status,
    result: Type.Optional(QaResult),
    failure: Type.Optional(Type.String({ description: 'Why the run failed, when it did' })),
  },
  { description: 'The live state fields are present whenever the run answers the state query' },
);

const QaRunSummary = Type.Object({
  workflowId: WorkflowId,
  runId: Type.String(),
  status: Status,
  startTime: Type.String(),
  closeTime: Nullable(Type.String()),
  sha: Nullable(Sha),
  trigger: Nullable(Type.String()),
  stage: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
});

export const qaRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config, client } = deps;

  app.post(
    '/repos/:id/qa',
    {
      schema: {
        summary: "Run QA on the repository's current head, or join the run already testing it",
        tags: ['qa'],
        params: RepoIdParams,
        body: NoOptions,
        response: {
          202: Type.Object({ workflowId: WorkflowId, runId: Type.String(), sha: Sha }),
          ...errorResponses(400, 401, 404, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const repo = configuredRepo(config, request.params.id);
      const sha = await headCommit(deps, repo);
      return reply.code(202).send(await startQa(deps, repo, sha));
    },
  );

  app.get(
    '/qa/:workflowId',
    {
      schema: {
        summary: 'The state of a QA run, with its result once it has finished',
        tags: ['qa'],
        params: WorkflowIdParams,
        response: { 200: QaRun, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => qaRun(client, request.params.workflowId, request.log),
  );

  app.get(
    '/qa',
    {
      schema: {
        summary: `The most recent QA runs of a repository (at most ${RECENT_RUNS_LIMIT}), newest first`,
        tags: ['qa'],
        querystring: Type.Object({ repo: RepoId }, { additionalProperties: false }),
        response: { 200: Type.Object({ runs: Type.Array(QaRunSummary) }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const repo = configuredRepo(config, request.query.repo);
      return { runs: await recentQaRuns(client, repo.id) };
    },
  );
};

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}
