import { Type, type Static } from 'typebox';
import { Nullable } from '../state-schemas.js';

const Released = Type.Object({ tag: Type.String(), version: Type.String(), sha: Type.String() });

/** What `GET /repos/:id/plan` answers; the CLI reads its type from here. */
export const PlanAnswer = Type.Object({
  sha: Type.String(),
  previous: Nullable(Released),
  version: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  bump: Nullable(Type.String()),
  reason: Type.String(),
  commitCount: Type.Integer(),
  commits: Type.Array(
    Type.Object({
      shortSha: Type.String(),
      type: Nullable(Type.String()),
      scope: Nullable(Type.String()),
      subject: Type.String(),
      bump: Nullable(Type.String()),
      reason: Type.String(),
    }),
  ),
  changelogEntry: Nullable(Type.String()),
});
export type PlanAnswer = Static<typeof PlanAnswer>;
