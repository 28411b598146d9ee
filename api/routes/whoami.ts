import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLES, SINGLE_TOKEN_IDENTITY } from '../../vocabulary/identity.js';
import { identityOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses } from '../schemas.js';

export const WhoamiAnswer = Type.Object({
  name: Type.String({ description: 'The name every change this token asks for is recorded under' }),
  role: Type.Enum(ROLES),
  shared: Type.Boolean({
    description: "True for the single shared token, which may name who asks in a body's `by`; false for a person's",
  }),
});

export const whoamiRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app) => {
  app.get(
    '/whoami',
    {
      config: { action: 'read' },
      schema: {
        summary: "Who the token belongs to: the holder's name and role",
        tags: ['people'],
        response: { 200: WhoamiAnswer, ...errorResponses(401) },
      },
    },
    async (request) => {
      const identity = identityOf(request);
      return { name: identity.name, role: identity.role, shared: identity === SINGLE_TOKEN_IDENTITY };
    },
  );
};
