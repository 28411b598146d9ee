import { Type, type Static } from 'typebox';

/** Durations are written the way people say them: `90s`, `10m`, `2h`, `1d`, `500ms`. */
export const Duration = Type.String({ pattern: '^[0-9]+(ms|s|m|h|d)$', description: 'A duration such as 500ms, 90s, 10m, 2h or 1d' });

/** Commands are argv arrays and never pass through a shell. */
const Argv = Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Program and arguments, run without a shell' });

const Env = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String());

export const RepoId = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{0,62}$',
  description: 'Lower-case letters, digits, dot, dash and underscore; starts with a letter or digit',
});

const TestSettings = Type.Object(
  {
    command: Argv,
    timeout: Type.Optional(Duration),
    env: Type.Optional(Env),
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
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    minChangedLines: Type.Optional(Type.Integer({ minimum: 0 })),
    include: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    exclude: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

const VersionCheck = Type.Object(
  {
    url: Type.Optional(Type.String({ pattern: '^https?://' })),
    jsonField: Type.Optional(Type.String({ minLength: 1 })),
    header: Type.Optional(Type.String({ minLength: 1 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const HealthSettings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    initialDelay: Type.Optional(Duration),
    interval: Type.Optional(Duration),
    requestTimeout: Type.Optional(Duration),
    successes: Type.Optional(Type.Integer({ minimum: 1 })),
    failureBudget: Type.Optional(Type.Integer({ minimum: 0 })),
    deadline: Type.Optional(Duration),
    version: Type.Optional(VersionCheck),
  },
  { additionalProperties: false },
);

const DeploySettings = Type.Object(
  {
    environment: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,30}$' })),
    command: Argv,
    env: Type.Optional(Env),
    timeout: Type.Optional(Duration),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    autoRollback: Type.Optional(Type.Boolean()),
    decisionTimeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

const WatchSettings = Type.Object(
  { interval: Duration },
  { additionalProperties: false, description: 'Poll the release branch and run QA on every new commit' },
);

const ReleaseSettings = Type.Object(
  {
    auto: Type.Optional(Type.Union([Type.Literal('on-qa-pass'), Type.Literal('off')], { description: 'Release when a triggered QA run passes' })),
    schedule: Type.Optional(Type.String({ minLength: 9, maxLength: 100, pattern: '^[0-9*/,\\- A-Za-z?#LW]+$', description: 'Cron expression of a release train' })),
    timezone: Type.Optional(Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', description: 'IANA time zone of the release train' })),
  },
  { additionalProperties: false },
);

const WebhookSettings = Type.Object(
  {
    secretEnv: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Name of the environment variable that holds the webhook secret' }),
    remoteUrl: Type.Optional(Type.String({ minLength: 1, description: 'The URL the forge reports for this repository (default: the configured url or remote)' })),
  },
  { additionalProperties: false },
);

export const RepositorySettings = Type.Object(
  {
    id: RepoId,
    path: Type.Optional(Type.String({ minLength: 1, description: 'A working copy on the worker machine' })),
    url: Type.Optional(Type.String({ minLength: 1, description: 'A remote to clone into the worker-local work folder' })),
    branch: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._/][A-Za-z0-9._/-]*$' })),
    remote: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })),
    tagFormat: Type.Optional(Type.String({ pattern: '\\$\\{version\\}' })),
    initialVersion: Type.Optional(Type.String()),
    preMajor: Type.Optional(Type.Boolean()),
    test: TestSettings,
    coverage: Type.Optional(CoverageSettings),
    deploy: Type.Optional(DeploySettings),
    health: Type.Optional(HealthSettings),
    watch: Type.Optional(WatchSettings),
    release: Type.Optional(ReleaseSettings),
    webhook: Type.Optional(WebhookSettings),
  },
  { additionalProperties: false },
);

export const ConfigFile = Type.Object(
  {
    dataDir: Type.Optional(Type.String({ minLength: 1 })),
    temporal: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(Type.String()),
          namespace: Type.Optional(Type.String({ minLength: 1 })),
          taskQueue: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          uiPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          heartbeatTimeout: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    api: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    reports: Type.Optional(
      Type.Object(
        {
          keyFile: Type.Optional(Type.String({ minLength: 1, description: 'A file holding the key that signs reports (default: SHIPGATE_REPORT_KEY, else <dataDir>/report-key, generated on first start)' })),
          previousKeyFiles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Keys of earlier rotations: reports they signed still verify; nothing new is signed with them' })),
        },
        { additionalProperties: false },
      ),
    ),
    repositories: Type.Array(RepositorySettings),
  },
  { additionalProperties: false },
);

export type ConfigFileInput = Static<typeof ConfigFile>;
export type RepositoryInput = Static<typeof RepositorySettings>;
