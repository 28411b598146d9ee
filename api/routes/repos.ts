import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { RepoConfig } from '../../config/types.js';
import type { ApiDeps } from '../deps.js';
import { configuredRepo } from '../repositories.js';
import { errorResponses, RepoIdParams } from '../schemas.js';
import { BranchView } from '../schemas/branches.js';

/** What a client may know about a repository: no environment maps, no URLs, nothing secret. */
const Repository = Type.Object({
  id: Type.String(),
  source: Type.Union([Type.Literal('path'), Type.Literal('url')], {
    description: 'A local working copy, or a URL workers clone',
  }),
  branch: Type.String({ description: 'The release branch' }),
  branches: Type.Array(BranchView, {
    description:
      'Every branch it releases from, the release branch first: prerelease and maintenance branches after it',
  }),
  remote: Type.String(),
  test: Type.Object({ command: Type.Array(Type.String()) }),
  coverage: Type.Union([
    Type.Object({ format: Type.Union([Type.Literal('lcov'), Type.Literal('istanbul')]), threshold: Type.Number() }),
    Type.Null(),
  ]),
  deploy: Type.Union([Type.Object({ environment: Type.String() }), Type.Null()]),
  health: Type.Union([Type.Object({ url: Type.String() }), Type.Null()]),
});

export const repoRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { config }) => {
  app.get(
    '/repos',
    {
      schema: {
        summary: 'The configured repositories',
        tags: ['repositories'],
        response: { 200: Type.Object({ repositories: Type.Array(Repository) }), ...errorResponses(401) },
      },
    },
    async () => ({ repositories: config.repositories.map(describeRepo) }),
  );

  app.get(
    '/repos/:id',
    {
      schema: {
        summary: 'One configured repository',
        tags: ['repositories'],
        params: RepoIdParams,
        response: { 200: Repository, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => describeRepo(configuredRepo(config, request.params.id)),
  );
};

function describeRepo(repo: RepoConfig): Static<typeof Repository> {
  return {
    id: repo.id,
    source: repo.source.kind,
    branch: repo.branch,
    branches: repo.branches.map((b) => ({ ...b, range: b.range && { ...b.range } })),
    remote: repo.remote,
    test: { command: repo.test.command },
    coverage: repo.coverage ? { format: repo.coverage.format, threshold: repo.coverage.threshold } : null,
    deploy: repo.deploy ? { environment: repo.deploy.environment } : null,
    health: repo.health ? { url: repo.health.url } : null,
  };
}
