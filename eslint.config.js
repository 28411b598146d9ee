// @ts-check
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const rootDir = path.dirname(fileURLToPath(import.meta.url));

// Workflow code runs in Temporal's deterministic sandbox, and context/ is imported by workflows,
// so neither may reach Node APIs: the worker's bundler would reject them only at start-up.
// Type-only imports are erased at compile time, which is how workflows name activity types.
const SANDBOX_MESSAGE =
  'workflows/ and context/ run inside the Temporal workflow sandbox: no Node APIs. Move the I/O into an activity, or use `import type`.';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

const sandboxImports = {
  paths: nodeBuiltins.map((name) => ({ name, message: SANDBOX_MESSAGE, allowTypeImports: true })),
  patterns: [
    { group: ['node:*'], message: SANDBOX_MESSAGE, allowTypeImports: true },
    {
      group: [
        'execa',
        'simple-git',
        'pino',
        'pino-*',
        'fastify',
        '@fastify/*',
        'proper-lockfile',
        '@temporalio/worker',
        '@temporalio/client',
        '@temporalio/activity',
        '@temporalio/testing',
      ],
      message: `${SANDBOX_MESSAGE} This package needs Node at runtime.`,
      allowTypeImports: true,
    },
    {
      // Relative paths only, so that `@temporalio/worker` is not matched a second time here.
      regex: '^(?:\\.\\.?/)+(?:activities|client|worker|api|devserver|config/load)(?:[/.]|$)',
      message: `${SANDBOX_MESSAGE} These modules do I/O; import their types only.`,
      allowTypeImports: true,
    },
  ],
};

const WORKING_COPY_FENCE = [
  {
    group: ['**/activities/*', '**/worker/*'],
    message:
      'api/ and cli/ talk to Temporal, never to a working copy: ask a worker with a read workflow (workflows/reads.ts, api/worker-reads.ts). Type imports are fine.',
    allowTypeImports: true,
  },
  {
    group: ['simple-git', 'execa'],
    message: 'api/ and cli/ run no git and no processes: a worker reads the repository for them (workflows/reads.ts).',
    allowTypeImports: true,
  },
];

const SANDBOX_GLOBAL_MESSAGE =
  'Not available in the Temporal workflow sandbox; pass the value in as workflow input or read it in an activity.';
const sandboxGlobals = [
  'process',
  'Buffer',
  'setImmediate',
  'clearImmediate',
  '__dirname',
  '__filename',
  'require',
].map((name) => ({
  name,
  message: SANDBOX_GLOBAL_MESSAGE,
}));

/** Every way to make an ApplicationFailure but the one helper: `message` names that helper. */
const onlyThrough = (message) => [
  {
    selector:
      "MemberExpression[object.name='ApplicationFailure'][property.name=/^(create|nonRetryable|retryable|fromError)$/]",
    message,
  },
  { selector: "NewExpression[callee.name='ApplicationFailure']", message },
];

export default defineConfig([
  globalIgnores([
    'dist/',
    'node_modules/',
    'data/',
    'coverage/',
    '**/*.mjs',
    '**/*.cjs',
    '**/*.js',
    '!eslint.config.js',
  ]),

  {
    files: ['eslint.config.js'],
    extends: [js.configs.recommended],
  },

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: rootDir },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Fastify plugins and activity factories are async by contract even when a body has no await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  {
    // tsconfig.json leaves tests out of the build, and the project service only reads the nearest
    // tsconfig.json, so tests and the vitest config are typed through tsconfig.test.json instead.
    files: ['test/**/*.ts', 'vitest.config.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: './tsconfig.test.json', tsconfigRootDir: rootDir },
    },
    rules: {
      // Test code reads parsed JSON, fixtures and mock internals; the assertions are the safety net there.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'warn',
      '@typescript-eslint/no-unsafe-member-access': 'warn',
      '@typescript-eslint/no-unsafe-call': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-return': 'warn',
    },
  },

  {
    files: ['activities/**/*.ts'],
    ignores: ['activities/failure.ts'],
    rules: {
      // Whether a failure is retried comes from the error catalogue, through activityFailure only.
      'no-restricted-syntax': [
        'error',
        ...onlyThrough(
          "Fail with activityFailure(code, message) from './failure.js': its code must be in domain/errors.ts, which decides the retry.",
        ),
      ],
    },
  },

  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/failure.ts'],
    rules: {
      // A workflow fails on purpose with a code from the catalogue, through workflowFailure only.
      'no-restricted-syntax': [
        'error',
        ...onlyThrough(
          "Fail with workflowFailure(code, message) from './failure.js': its code must be in domain/errors.ts.",
        ),
      ],
    },
  },

  {
    // The API talks to Temporal, never to a working copy: what it answers about a repository a
    // worker reads for it (workflows/reads.ts). It takes types from below, no code, and no git
    // either, so an API on a host of its own works as well as one beside a worker.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: WORKING_COPY_FENCE,
        },
      ],
    },
  },

  {
    // The CLI talks to the API over HTTP only: it starts no workflow itself, so client/ is not its to use.
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...WORKING_COPY_FENCE,
            {
              group: ['**/client/*'],
              message: 'The CLI asks the API to start runs; client/ is for the API, activities and the worker.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },

  {
    // client/ starts workflows for the API, activities and the worker: it knows Temporal's client,
    // the messages and the workflows' types, and nothing that reads a working copy or serves HTTP.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:\\.\\.?/)+(?:domain|context|config|activities|worker|api|cli|devserver|scripts)(?:[/.]|$)',
              message:
                'client/ sits just above vocabulary/: it takes shapes from vocabulary/ and workflow types from workflows/.',
            },
            {
              regex: '^(?:\\.\\.?/)+workflows(?:[/.]|$)',
              message:
                'client/ names workflows by type only: use `import type`, so no workflow code loads outside the sandbox.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },

  {
    // The layers, bottom up: vocabulary/ (messages, search attributes) and context/ (the report
    // protocol, which takes the QA outcomes from vocabulary/), then domain/ (pure rules), then
    // activities/ and workflows/, then worker/, api/ and cli/. client/ (workflow starts) sits on
    // vocabulary/ and is used by activities/, worker/ and api/. An import runs downwards only; type imports count too, since a type is a dependency.
    files: ['vocabulary/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(?:\\.\\.?/)+(?:domain|context|config|client|activities|workflows|worker|api|cli|devserver|scripts)(?:[/.]|$)',
              message: "vocabulary/ is the ground floor: it imports nothing of shipgate's own.",
            },
          ],
        },
      ],
    },
  },

  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:\\.\\.?/)+(?:config|client|activities|workflows|worker|api|cli|devserver|scripts)(?:[/.]|$)',
              message: 'domain/ is pure and sits below activities and workflows: take shared shapes from vocabulary/.',
            },
          ],
        },
      ],
    },
  },

  {
    files: ['workflows/**/*.ts', 'context/**/*.ts'],
    rules: {
      // ESLint's own rule understands `import type` since 9.x; the typescript-eslint copy is deprecated.
      'no-restricted-imports': ['error', sandboxImports],
      'no-restricted-globals': ['error', ...sandboxGlobals],
    },
  },
]);
