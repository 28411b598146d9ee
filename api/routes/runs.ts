import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { ApiDeps } from '../deps.js';
import { runsOf } from '../release-runs.js';
import { runView, type RunType } from '../run-views.js';
import { promotionOfRelease } from '../environments.js';
import type { ReleaseState } from '../../vocabulary/messages.js';
import { errorResponses, WorkflowIdParams } from '../schemas.js';
import { notificationsOf } from '../notifications.js';
import { DeployRun, QaRun, ReleaseRun, RunIdQuery, RunNotifications, RunSummary } from '../state-schemas.js';

/**
 * The reads of one run ID, the same for the three kinds of run: its view (the latest run, or the
 * one `?runId=` names) and every run of the ID. Both answer from what the Temporal server holds,
 * never through a worker.
 */
const RUN_READS: { type: RunType; path: string; tag: string; view: TSchema; summary: string; runs: string }[] = [
  {
    type: 'release',
    path: '/releases/:workflowId',
    tag: 'releases',
    view: ReleaseRun,
    summary:
      'The state of a release, with its QA child and its deployment (or its promotion through the environments), and its result once finished',
    runs: 'Every release of the ID (each release of a repository is a run of release:<repo>), newest first',
  },
  {
    type: 'deploy',
    path: '/deployments/:workflowId',
    tag: 'deployments',
    view: DeployRun,
    summary: 'The state of a deployment: attempts, health samples, the awaited decision, and its result once finished',
    runs: 'Every deployment of the ID (each deployment to an environment is a run of deploy:<repo>:<environment>), newest first',
  },
  {
    type: 'qa',
    path: '/qa/:workflowId',
    tag: 'qa',
    view: QaRun,
    summary: 'The state of a QA run, with its result once it has finished',
    runs: 'Every QA run of the ID (of one commit), newest first',
  },
];

export const runRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { client } = deps;
  for (const { type, path, tag, view, summary, runs } of RUN_READS) {
    app.get(
      path,
      {
        schema: {
          summary,
          tags: [tag],
          params: WorkflowIdParams,
          querystring: RunIdQuery,
          response: { 200: view, ...errorResponses(400, 401, 404, 503) },
        },
      },
      async (request) => {
        const view = await runView(client, request.params.workflowId, type, {
          runId: request.query.runId,
          log: request.log,
        });
        if (type !== 'release') return view;
        // A release of a repository with environments ends at its handover: how far its version
        // got after that is its promotion's, read anew each time.
        const promotion = await promotionOfRelease(deps, view.state as ReleaseState | null, request.log);
        return promotion ? { ...view, promotion } : view;
      },
    );
    if (type === 'release' || type === 'deploy')
      app.get(
        `${path}/notifications`,
        {
          schema: {
            summary: `How the notifications of a ${type === 'release' ? 'release' : 'deployment'} went: each target, each event, delivered or not`,
            tags: [tag],
            params: WorkflowIdParams,
            querystring: RunIdQuery,
            response: { 200: RunNotifications, ...errorResponses(400, 401, 404, 503) },
          },
        },
        async (request) => notificationsOf(client, request.params.workflowId, type, request.query.runId),
      );
    app.get(
      `${path}/runs`,
      {
        schema: {
          summary: runs,
          tags: [tag],
          params: WorkflowIdParams,
          response: { 200: Type.Object({ runs: Type.Array(RunSummary) }), ...errorResponses(400, 401, 404, 503) },
        },
      },
      async (request) => ({ runs: await runsOf(client, request.params.workflowId, type) }),
    );
  }
};
