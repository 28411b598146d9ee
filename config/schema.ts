import { Type, type Static, type TArray, type TObject, type TOptional, type TSchema } from 'typebox';
import { DEFAULT_INITIAL_VERSION, DEFAULT_TAG_FORMAT } from '../domain/bump.js';
import { DEFAULT_COMMIT_RULES } from '../domain/commit.js';
import { DEFAULT_COVERAGE_THRESHOLD, DEFAULT_MIN_CHANGED_LINES } from '../domain/diff-coverage.js';
import { IDENTITY_NAME_PATTERN, ROLES } from '../vocabulary/identity.js';
import { DEFAULT_ENVIRONMENT } from '../vocabulary/messages.js';
import { DEFAULT_DATA_DIR } from './data-dir.js';

/*
 * Every default is written here once, as the `default` of its setting: the JSON schema documents
 * it, and config/load.ts fills it in with Value.Default before it reads the settings. The pure
 * rules in domain/ that take such a setting keep their own constant, and so does data-dir.ts,
 * which the CLI reads without this schema; this file imports those.
 */
export type TDefaulted<T extends TSchema> = TOptional<T> & { default: Static<T> };

/** An optional setting with its default. */
export function Defaulted<T extends TSchema>(type: T, value: Static<T>): TDefaulted<T> {
  // Type.Optional returns a new schema object, so the default lands on this setting alone.
  return Object.assign(Type.Optional(type), { default: value }) as TDefaulted<T>;
}

type HasDefault<S> = S extends { default: unknown } ? true : S extends TOptional ? false : true;

/** What a schema's value is after Value.Default: a setting with a default is always present. */
export type WithDefaults<S> =
  S extends TArray<infer Item>
    ? WithDefaults<Item>[]
    : S extends TObject<infer P>
      ? { [K in keyof P as HasDefault<P[K]> extends true ? K : never]-?: WithDefaults<P[K]> } & {
          [K in keyof P as HasDefault<P[K]> extends true ? never : K]?: WithDefaults<P[K]>;
        }
      : S extends TSchema
        ? Static<S>
        : never;

/** Durations are written the way people say them: `90s`, `10m`, `2h`, `1d`, `500ms`. */
export const Duration = Type.String({
  pattern: '^[0-9]+(ms|s|m|h|d)$',
  description: 'A duration such as 500ms, 90s, 10m, 2h or 1d',
});

/** Commands are argv arrays and never pass through a shell. */
const Argv = Type.Array(Type.String({ minLength: 1 }), {
  minItems: 1,
  description: 'Program and arguments, run without a shell',
});

const Env = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String());

export const RepoId = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{0,62}$',
  description: 'Lower-case letters, digits, dot, dash and underscore; starts with a letter or digit',
});

const TestSettings = Type.Object(
  {
    command: Argv,
    timeout: Defaulted(Duration, '30m'),
    env: Defaulted(Env, {}),
    results: Type.Optional(
      Type.Object(
        {
          format: Type.Union([Type.Literal('junit'), Type.Literal('jest-json')]),
          path: Type.String({ minLength: 1, description: 'Repository-relative path of the result file' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const CoverageSettings = Type.Object(
  {
    format: Type.Union([Type.Literal('lcov'), Type.Literal('istanbul')]),
    path: Type.String({ minLength: 1, description: 'Repository-relative path of the coverage file' }),
    threshold: Defaulted(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description: 'Percent of changed executable lines that must be covered',
      }),
      DEFAULT_COVERAGE_THRESHOLD,
    ),
    minChangedLines: Defaulted(
      Type.Integer({ minimum: 0, description: 'Below this many changed executable lines the gate is skipped' }),
      DEFAULT_MIN_CHANGED_LINES,
    ),
    include: Defaulted(
      Type.Array(Type.String({ minLength: 1 }), { description: 'Globs of files that count; empty means every file' }),
      [],
    ),
    exclude: Defaulted(
      Type.Array(Type.String({ minLength: 1 }), { description: 'Globs of files that never count' }),
      [],
    ),
  },
  { additionalProperties: false },
);

const VersionCheck = Type.Object(
  {
    url: Type.Optional(Type.String({ pattern: '^https?://' })),
    jsonField: Type.Optional(Type.String({ minLength: 1 })),
    header: Type.Optional(Type.String({ minLength: 1 })),
    enabled: Defaulted(Type.Boolean(), true),
  },
  { additionalProperties: false },
);

const HealthSettings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    initialDelay: Defaulted(Duration, '0s'),
    interval: Defaulted(Duration, '1s'),
    requestTimeout: Defaulted(Duration, '2s'),
    successes: Defaulted(Type.Integer({ minimum: 1 }), 3),
    failureBudget: Defaulted(Type.Integer({ minimum: 0 }), 10),
    deadline: Defaulted(Duration, '2m'),
    version: Type.Optional(VersionCheck),
  },
  { additionalProperties: false },
);

/** How an environment is named: in `deploy:<repo>:<name>`, `environment:<repo>:<name>` and the API's paths. */
export const ENVIRONMENT_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,30}$';
const EnvironmentName = Type.String({ pattern: ENVIRONMENT_NAME_PATTERN });

/** An environment's deploy command and policy: the repository-level `deploy` without its `environment`. */
const EnvironmentDeploy = Type.Object(
  {
    command: Argv,
    env: Defaulted(Env, {}),
    timeout: Defaulted(Duration, '10m'),
    retries: Defaulted(Type.Integer({ minimum: 0, maximum: 10 }), 2),
    autoRollback: Defaulted(Type.Boolean(), false),
    decisionTimeout: Defaulted(Duration, '24h'),
  },
  { additionalProperties: false },
);

/** The repository-level deploy settings of a repository with one environment, which they name. */
const DeploySettings = Type.Object(
  {
    environment: Defaulted(Type.String({ pattern: ENVIRONMENT_NAME_PATTERN }), DEFAULT_ENVIRONMENT),
    ...EnvironmentDeploy.properties,
  },
  { additionalProperties: false },
);

/**
 * One publish step of a release: a command run in a clean checkout of the tag after the push and
 * before the first deployment, with an optional `check` that says whether the version is already
 * there (so a retried or resumed step never publishes twice). `${SHIPGATE_VERSION}` and the other
 * placeholders of domain/publish.ts are substituted in each argv entry, never through a shell.
 */
const PublishStep = Type.Object(
  {
    name: Type.String({
      pattern: ENVIRONMENT_NAME_PATTERN,
      description: 'Unique per repository: the step `publish:<name>` of the release',
    }),
    command: Argv,
    check: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description:
          'Says the version is already published when it exits 0 and prints something (as `npm view <pkg>@<version> version` does); the command is then not run',
      }),
    ),
    artifact: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'What the release record lists as published (default: "<name> <version>")',
      }),
    ),
    env: Defaulted(Env, {}),
    timeout: Defaulted(Duration, '10m'),
    retries: Defaulted(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        description: 'Attempts after the first, with backoff, before a decision is asked',
      }),
      2,
    ),
    decisionTimeout: Defaulted(Duration, '24h'),
  },
  { additionalProperties: false },
);

/** Who may approve a version into an environment, and how many must (see workflows/approval.ts). */
const ApprovalSettings = Type.Object(
  {
    required: Defaulted(
      Type.Integer({ minimum: 1, maximum: 10, description: 'How many different people must approve' }),
      1,
    ),
    from: Type.Optional(
      Type.Array(Type.String({ pattern: IDENTITY_NAME_PATTERN }), {
        minItems: 1,
        maxItems: 50,
        description: 'Token names or roles that may approve (default: the approver and admin roles)',
      }),
    ),
    notAuthor: Defaulted(
      Type.Boolean({ description: 'Refuse an approver who authored a commit of the release or started it' }),
      true,
    ),
    expires: Defaulted(
      Type.String({
        pattern: '^[0-9]+(ms|s|m|h|d)$',
        description: 'How long the promotion waits for its approvals before it ends as expired',
      }),
      '24h',
    ),
  },
  { additionalProperties: false },
);

/**
 * A time when nothing is promoted into an environment: recurring (a cron expression that opens
 * the window, how long it stays open, in a time zone) or once (from, to). A promotion that meets
 * one waits for its end.
 */
const ISO_INSTANT = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$';

const FreezeWindowSettings = Type.Union([
  Type.Object(
    {
      cron: Type.String({
        minLength: 9,
        maxLength: 100,
        pattern: '^[0-9*/,\\- A-Za-z?#LW]+$',
        description: 'When the window opens (five fields: minute hour day-of-month month day-of-week)',
      }),
      duration: Type.String({ pattern: '^[0-9]+(ms|s|m|h|d)$', description: 'How long it stays open' }),
      timezone: Defaulted(
        Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', description: 'IANA time zone of cron' }),
        'UTC',
      ),
      reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      from: Type.String({
        pattern: ISO_INSTANT,
        description: 'ISO 8601 with a zone, e.g. 2026-12-24T00:00:00Z or 2026-12-24T00:00:00+01:00',
      }),
      to: Type.String({ pattern: ISO_INSTANT }),
      reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
]);

const EnvironmentSettings = Type.Object(
  {
    name: EnvironmentName,
    deploy: EnvironmentDeploy,
    health: Type.Optional(HealthSettings),
    after: Type.Optional(
      Type.String({
        pattern: ENVIRONMENT_NAME_PATTERN,
        description: 'The environment this one promotes from (every environment but the first names one)',
      }),
    ),
    soak: Defaulted(
      Type.String({
        pattern: '^[0-9]+(ms|s|m|h|d)$',
        description: 'How long a version must stay live and healthy in `after` before it is promoted here',
      }),
      '0s',
    ),
    autoPromote: Defaulted(
      Type.Boolean({ description: 'Promote here by itself once the soak has passed; false waits for a request' }),
      true,
    ),
    approval: Type.Optional(ApprovalSettings),
    freeze: Defaulted(
      Type.Array(FreezeWindowSettings, {
        maxItems: 50,
        description: 'When nothing is promoted here: a promotion that meets an open window waits for its end',
      }),
      [],
    ),
  },
  { additionalProperties: false },
);

const ApiTokenSettings = Type.Object(
  {
    name: Type.String({ pattern: IDENTITY_NAME_PATTERN }),
    role: Type.Union(
      ROLES.map((role) => Type.Literal(role)),
      { description: 'viewer (read), releaser (QA, releases, decisions), approver (approvals), admin (everything)' },
    ),
    hash: Type.String({ pattern: '^sha256:[0-9a-f]{64}$', description: 'sha256:<hex> of the token; never the token' }),
    authors: Defaulted(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: 20,
        description: 'The git author names and emails this person commits as (for notAuthor)',
      }),
      [],
    ),
  },
  { additionalProperties: false },
);

const WatchSettings = Type.Object(
  { interval: Duration },
  { additionalProperties: false, description: 'Poll the release branch and run QA on every new commit' },
);

const ReleaseSettings = Type.Object(
  {
    auto: Defaulted(
      Type.Union([Type.Literal('on-qa-pass'), Type.Literal('off')], {
        description: 'Release when a triggered QA run passes',
      }),
      'off',
    ),
    schedule: Type.Optional(
      Type.String({
        minLength: 9,
        maxLength: 100,
        pattern: '^[0-9*/,\\- A-Za-z?#LW]+$',
        description: 'Cron expression of a release train',
      }),
    ),
    timezone: Type.Optional(
      Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', description: 'IANA time zone of the release train' }),
    ),
  },
  { additionalProperties: false },
);

/** How a branch name is written; the API checks the names requests send against it too. */
export const BRANCH_NAME_PATTERN = '^[A-Za-z0-9._/][A-Za-z0-9._/-]*$';

const BranchName = Type.String({ pattern: BRANCH_NAME_PATTERN });

const BranchEntry = Type.Union([
  BranchName,
  Type.Object(
    {
      name: BranchName,
      prerelease: Type.Optional(
        Type.Union([Type.Boolean(), Type.String({ minLength: 1, maxLength: 40 })], {
          description: 'A prerelease branch: true uses the branch name as the identifier (beta → 2.0.0-beta.1)',
        }),
      ),
      channel: Type.Optional(
        Type.String({
          pattern: '^[a-z0-9][a-z0-9._-]{0,62}$',
          description: 'Where its releases go (default: latest for the release branch, else the branch name)',
        }),
      ),
      range: Type.Optional(
        Type.String({
          pattern: '^[0-9]+(\\.([0-9]+|x))?\\.x$',
          description: 'A maintenance line such as 1.x or 1.2.x (default: from the name)',
        }),
      ),
      deploy: Type.Optional(
        Type.Boolean({ description: 'Whether its releases deploy (default: only the release branch)' }),
      ),
    },
    { additionalProperties: false },
  ),
]);

const Bump = Type.Union([Type.Literal('major'), Type.Literal('minor'), Type.Literal('patch')]);

const CommitSettings = Type.Object(
  {
    preset: Defaulted(
      Type.Union([Type.Literal('conventionalcommits'), Type.Literal('angular')], {
        description: 'The Conventional Commits dialect: headers, breaking markers, changelog sections',
      }),
      DEFAULT_COMMIT_RULES.preset,
    ),
    merges: Defaulted(
      Type.Union([Type.Literal('count'), Type.Literal('ignore')], {
        description:
          'count: a merge commit whose own message is a Conventional Commit counts, unless it repeats a commit it brings',
      }),
      DEFAULT_COMMIT_RULES.merges,
    ),
    releaseRules: Defaulted(
      Type.Array(
        Type.Object(
          {
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            scope: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            breaking: Type.Optional(Type.Boolean()),
            revert: Type.Optional(Type.Boolean()),
            release: Type.Union([Bump, Type.Literal(false)]),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100, description: 'Type/scope (globs with *) → release, before the preset rules' },
      ),
      [],
    ),
  },
  { additionalProperties: false },
);

const ChangelogSettings = Type.Object(
  {
    sort: Defaulted(
      Type.Union([Type.Literal('none'), Type.Literal('scope')], {
        description: 'Order within a section: as git lists the commits, or by scope',
      }),
      'none',
    ),
  },
  { additionalProperties: false },
);

/**
 * One receiver of notifications: a URL (or the environment variable that holds one) that is sent
 * the events its `events` name, as JSON or as a Slack-compatible `{text}`, signed with the secret
 * in `secretEnv`. Deliveries are retried with backoff by an activity for up to `giveUpAfter`, and
 * never hold a release up (see the README, Notifications).
 */
export const NotifyTarget = Type.Object(
  {
    name: Type.String({
      pattern: ENVIRONMENT_NAME_PATTERN,
      description: 'Unique among the targets a repository gets (the global ones and its own)',
    }),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Where events are POSTed' })),
    urlEnv: Type.Optional(
      Type.String({
        pattern: '^[A-Z_][A-Z0-9_]*$',
        description: 'The environment variable holding the URL, for URLs that are secrets themselves (Slack)',
      }),
    ),
    format: Defaulted(
      Type.Union([Type.Literal('json'), Type.Literal('slack')], {
        description: 'json: the event as shipgate describes it; slack: `{"text": …}` for incoming webhooks',
      }),
      'json',
    ),
    events: Defaulted(
      Type.Array(Type.String({ pattern: '^[a-z*][a-z.*-]*$' }), {
        minItems: 1,
        maxItems: 50,
        description: 'Event names or globs (`deploy.*`, `*.failed`); default every event',
      }),
      ['*'],
    ),
    secretEnv: Type.Optional(
      Type.String({
        pattern: '^[A-Z_][A-Z0-9_]*$',
        description: 'The environment variable holding the key of the X-Shipgate-Signature HMAC',
      }),
    ),
    timeout: Defaulted(Duration, '10s'),
    giveUpAfter: Defaulted(Duration, '24h'),
  },
  { additionalProperties: false },
);

const NotifyList = Type.Array(NotifyTarget, {
  maxItems: 20,
  description: 'Webhooks told what releases, deployments and promotions do (see the README, Notifications)',
});

const WebhookSettings = Type.Object(
  {
    secretEnv: Type.String({
      pattern: '^[A-Z_][A-Z0-9_]*$',
      description: 'Name of the environment variable that holds the webhook secret',
    }),
    remoteUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The URL the forge reports for this repository (default: the configured url or remote)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RepositorySettings = Type.Object(
  {
    id: RepoId,
    path: Type.Optional(Type.String({ minLength: 1, description: 'A working copy on the worker machine' })),
    url: Type.Optional(
      Type.String({ minLength: 1, description: 'A remote to clone into the worker-local work folder' }),
    ),
    branch: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9._/][A-Za-z0-9._/-]*$',
        description: 'The release branch (default: the release branch of branches, else main)',
      }),
    ),
    branches: Type.Optional(
      Type.Array(BranchEntry, {
        minItems: 1,
        maxItems: 50,
        description: 'Release, prerelease and maintenance branches; the first that is neither releases stable versions',
      }),
    ),
    remote: Defaulted(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }), 'origin'),
    tagFormat: Defaulted(Type.String({ pattern: '\\$\\{version\\}' }), DEFAULT_TAG_FORMAT),
    initialVersion: Defaulted(Type.String(), DEFAULT_INITIAL_VERSION),
    preMajor: Defaulted(Type.Boolean(), false),
    test: TestSettings,
    coverage: Type.Optional(CoverageSettings),
    deploy: Type.Optional(DeploySettings),
    health: Type.Optional(HealthSettings),
    publish: Type.Optional(
      Type.Array(PublishStep, {
        maxItems: 20,
        description: 'Run in order after the push and before the first deployment (see the README, Publishing)',
      }),
    ),
    environments: Type.Optional(
      Type.Array(EnvironmentSettings, {
        minItems: 1,
        maxItems: 20,
        description:
          'Where releases go, in order: a release deploys to the first, and each other is promoted to from its `after`',
      }),
    ),
    watch: Type.Optional(WatchSettings),
    release: Defaulted(ReleaseSettings, {}),
    commits: Defaulted(CommitSettings, {}),
    changelog: Defaulted(ChangelogSettings, {}),
    webhook: Type.Optional(WebhookSettings),
    notify: Type.Optional(NotifyList),
  },
  { additionalProperties: false },
);

export const ConfigFile = Type.Object(
  {
    dataDir: Defaulted(
      Type.String({ minLength: 1, description: 'Relative to the configuration file; SHIPGATE_DATA_DIR overrides it' }),
      DEFAULT_DATA_DIR,
    ),
    temporal: Defaulted(
      Type.Object(
        {
          address: Type.Optional(
            Type.String({ description: 'An existing cluster (default: start the embedded dev server)' }),
          ),
          namespace: Defaulted(Type.String({ minLength: 1 }), 'default'),
          taskQueue: Defaulted(Type.String({ minLength: 1 }), 'shipgate'),
          port: Defaulted(
            Type.Integer({ minimum: 1, maximum: 65535, description: 'Of the embedded dev server' }),
            7233,
          ),
          uiPort: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 65535,
              description: 'Of the embedded dev server (default: port + 1000)',
            }),
          ),
          heartbeatTimeout: Defaulted(Duration, '20s'),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    api: Defaulted(
      Type.Object(
        {
          host: Defaulted(Type.String({ minLength: 1 }), '127.0.0.1'),
          port: Defaulted(Type.Integer({ minimum: 0, maximum: 65535 }), 3000),
          tokens: Defaulted(
            Type.Array(ApiTokenSettings, {
              maxItems: 1000,
              description:
                'Who may call the API: a name, a role and the SHA-256 of the token (`shipgate token create` makes one); none: the single token, one admin',
            }),
            [],
          ),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    reports: Defaulted(
      Type.Object(
        {
          keyFile: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'A file holding the key that signs reports (default: SHIPGATE_REPORT_KEY, else <dataDir>/report-key, generated on first start)',
            }),
          ),
          previousKeyFiles: Defaulted(
            Type.Array(Type.String({ minLength: 1 }), {
              description:
                'Keys of earlier rotations: reports they signed still verify; nothing new is signed with them',
            }),
            [],
          ),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    notify: Type.Optional(NotifyList),
    repositories: Type.Array(RepositorySettings),
  },
  { additionalProperties: false },
);

/** What a configuration file may say. */
export type ConfigFileInput = Static<typeof ConfigFile>;
export type RepositoryInput = Static<typeof RepositorySettings>;
/** The same after Value.Default: every setting with a default is present. */
export type ConfigWithDefaults = WithDefaults<typeof ConfigFile>;
export type RepositoryWithDefaults = WithDefaults<typeof RepositorySettings>;
