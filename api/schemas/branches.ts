import { Type, type Static } from 'typebox';
import { BRANCH_NAME_PATTERN } from '../../config/schema.js';
import type { ReleaseBranch } from '../../domain/branches.js';
import { Nullable } from '../state-schemas.js';
import { sameShape } from './same-shape.js';

/**
 * A branch a request names: written as the configuration writes branch names, and bounded, so a
 * name no configuration could hold is a 400 from the schema before the list of branches is asked.
 */
export const BranchName = Type.String({
  pattern: BRANCH_NAME_PATTERN,
  maxLength: 200,
  description: "One of the repository's configured branches (default: its release branch)",
});

/** A configured branch as the API shows it: what it releases, on which channel, and whether it deploys. */
export const BranchView = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('release'), Type.Literal('prerelease'), Type.Literal('maintenance')], {
    description: 'release: stable versions; prerelease: 2.0.0-beta.1, -beta.2, …; maintenance: an older line (1.x)',
  }),
  channel: Type.String({ description: 'Where its releases go: latest for the release branch' }),
  prerelease: Nullable(Type.String({ description: 'The prerelease identifier (beta in 2.0.0-beta.1)' })),
  range: Nullable(
    Type.Object(
      { min: Type.String(), max: Type.String() },
      { description: 'A maintenance branch releases versions from min up to, not including, max' },
    ),
  ),
  deploy: Type.Boolean({ description: 'Whether its releases deploy (by default only the release branch does)' }),
});
sameShape<Static<typeof BranchView>, ReleaseBranch>(true);
