import { Type, type Static, type TSchema } from 'typebox';
import { GATES } from '../../vocabulary/environments.js';
import { ApprovalProgress, PromotionStep, Version } from './environments.js';

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const Reason = Type.String({ minLength: 1, maxLength: 1000, description: 'Why, as the promotion records it' });

export const ApprovalBody = Type.Object(
  { version: Version, reason: Type.Optional(Reason) },
  { additionalProperties: false },
);

export const DenialBody = Type.Object({ version: Version, reason: Reason }, { additionalProperties: false });

export const OverrideBody = Type.Object(
  {
    version: Version,
    gate: Type.Enum(GATES, { description: 'approval: pass without the approvals; freeze: pass an open window' }),
    reason: Reason,
  },
  { additionalProperties: false },
);

/** What an approval, denial or override answers: where the version's step into the environment stands now. */
export const DecisionAnswer = Type.Object({
  environment: Type.String(),
  version: Type.String(),
  workflowId: Type.String({ description: 'promotion:<repo>:<version>, the run that waits for it' }),
  status: PromotionStep.properties.status,
  reason: Nullable(Type.String()),
  approval: Nullable(ApprovalProgress),
});
export type DecisionAnswer = Static<typeof DecisionAnswer>;

export const ApprovalPageParams = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' }),
  env: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' }),
  version: Version,
});

const ChangedFile = Type.Object({
  path: Type.String(),
  insertions: Type.Integer(),
  deletions: Type.Integer(),
  binary: Type.Boolean(),
});

export const ApprovalPage = Type.Object(
  {
    repoId: Type.String(),
    environment: Type.String(),
    version: Type.String(),
    tag: Type.String(),
    workflowId: Type.String(),
    promotion: Type.Object({
      status: Type.String({ description: 'The promotion run: RUNNING, COMPLETED, …' }),
      stage: Type.String(),
      outcome: Nullable(Type.String()),
      reason: Nullable(Type.String()),
    }),
    step: Nullable(
      Type.Object({
        status: PromotionStep.properties.status,
        reason: Nullable(Type.String()),
        since: Nullable(Type.String()),
      }),
    ),
    approval: Nullable(ApprovalProgress),
    mayStillApprove: Type.Array(Type.String(), {
      description: 'While it awaits approval: the names and roles of `from`, less the names that approved',
    }),
    qaReport: Nullable(
      Type.Object({
        name: Type.String({ description: 'The report in context/' }),
        outcome: Nullable(Type.String({ description: 'test-pass, test-failures or test-gaps' })),
        text: Type.String(),
      }),
    ),
    changelogEntry: Nullable(Type.String()),
    diff: Nullable(
      Type.Object({
        from: Nullable(Type.String({ description: "The previous release's tag" })),
        to: Type.String(),
        commits: Type.Integer(),
        filesChanged: Type.Integer(),
        insertions: Type.Integer(),
        deletions: Type.Integer(),
        files: Type.Array(ChangedFile, { description: 'The most changed first' }),
        filesLeftOut: Type.Integer(),
      }),
    ),
    warnings: Type.Array(Type.String(), { description: 'What could not be read, instead of failing' }),
  },
  { description: 'What to read before approving a version into an environment' },
);
export type ApprovalPage = Static<typeof ApprovalPage>;
