import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { QA_REPORT_KINDS } from '../../context/names.js';
import { COVERAGE_GATES } from '../../context/report.js';
import type { ApiDeps } from '../deps.js';
import { reportList } from '../report-list.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';

const Count = Type.Union([Type.Integer(), Type.Null()]);

const Report = Type.Object({
  name: Type.String({ description: 'File name in context/, e.g. test-pass-20251013-234559.md' }),
  outcome: Type.Enum(QA_REPORT_KINDS),
  commit: Type.String(),
  created_at: Type.String(),
  tests: Type.Object({ total: Count, passed: Count, failed: Count, skipped: Count }),
  coverage: Type.Object({
    changed_lines: Type.Integer(),
    covered_lines: Type.Integer(),
    percent: Type.Union([Type.Number(), Type.Null()]),
    threshold: Type.Number(),
    min_changed_lines: Type.Integer(),
    gate: Type.Enum(COVERAGE_GATES),
  }),
  verified: Type.Boolean({
    description: "Whether its signature verifies under this service's key: only a verified report approves a release",
  }),
  verification: Type.String({
    description: 'The key that signed it (signed with key <id>), or why it does not verify',
  }),
});

export const reportRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { config } = deps;
  app.get(
    '/repos/:id/reports',
    {
      schema: {
        summary: "The QA reports in the repository's context/ folder, newest first",
        tags: ['reports'],
        params: RepoIdParams,
        response: {
          200: Type.Object({
            reports: Type.Array(Report),
            warnings: Type.Array(Type.String(), {
              description: 'One line per file in context/ that could not be read as a report',
            }),
          }),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request) => reportList(deps, configuredRepo(config, request.params.id)),
  );
};
