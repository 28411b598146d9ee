import { Type, type Static } from 'typebox';
import { PLAN_CURSOR, PLAN_PAGE } from '../../vocabulary/plan-page.js';
import { Nullable } from '../state-schemas.js';
import { BranchName, BranchView } from './branches.js';

const Released = Type.Object({ tag: Type.String(), version: Type.String(), sha: Type.String() });

export const PlanQuery = {
  branch: Type.Optional(BranchName),
  // A string, as every query value is; the route reads the number and refuses one above the maximum.
  limit: Type.Optional(
    Type.String({
      pattern: '^[1-9][0-9]{0,3}$',
      description: `Commits per page: 1 to ${PLAN_PAGE.maxLimit} (default ${PLAN_PAGE.defaultLimit}).`,
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      pattern: PLAN_CURSOR.source,
      description: "The page after another: that page's `page.next`. Every page of one plan lists the same history.",
    }),
  ),
};

/** What `GET /repos/:id/plan` answers; the CLI reads its type from here. */
export const PlanAnswer = Type.Object({
  branch: BranchView,
  sha: Type.String(),
  previous: Nullable(Released),
  version: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  bump: Nullable(Type.String()),
  reason: Type.String(),
  /** Every commit since the last release; `commits` is one page of them. */
  commitCount: Type.Integer(),
  summary: Type.Array(
    Type.Object({
      type: Nullable(Type.String()),
      commits: Type.Integer(),
      releasing: Type.Integer(),
      bump: Nullable(Type.String()),
    }),
  ),
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
  page: Type.Object({ offset: Type.Integer(), limit: Type.Integer(), next: Nullable(Type.String()) }),
  changelogEntry: Nullable(
    Type.String({ description: 'The entry as the release writes it, cut at a line past 64 KiB' }),
  ),
  changelogLinesLeftOut: Type.Integer({ minimum: 0, description: 'Lines of the entry left out of changelogEntry' }),
});
export type PlanAnswer = Static<typeof PlanAnswer>;
