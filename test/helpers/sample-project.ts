import type { RepositoryInput } from '../../config/schema.js';

/**
 * A small Node project whose own tests run on Node's built-in runner, writing JUnit results
 * and lcov coverage: real tools, real output.
 */
const NODE_TEST = [
  'node --test --experimental-test-coverage',
  '--test-reporter=spec --test-reporter-destination=stdout',
  '--test-reporter=junit --test-reporter-destination=reports/junit.xml',
  '--test-reporter=lcov --test-reporter-destination=coverage/lcov.info',
  'test/',
].join(' ');

export const SAMPLE_TEST_COMMAND = ['npm', 'test', '--silent'];

export const SAMPLE_FILES: Record<string, string> = {
  'package.json':
    JSON.stringify(
      {
        name: 'sample',
        version: '0.0.0',
        type: 'module',
        private: true,
        scripts: { test: `mkdir -p reports coverage && ${NODE_TEST}` },
      },
      null,
      2,
    ) + '\n',
  'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'test/math.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { add } from '../src/math.js';",
    '',
    "test('adds two numbers', () => {",
    '  assert.equal(add(2, 3), 5);',
    '});',
    '',
  ].join('\n'),
};

export function sampleRepoSettings(id: string, dir: string, extra: Partial<RepositoryInput> = {}): RepositoryInput {
  return {
    id,
    path: dir,
    test: { command: SAMPLE_TEST_COMMAND, timeout: '2m', results: { format: 'junit', path: 'reports/junit.xml' } },
    coverage: { format: 'lcov', path: 'coverage/lcov.info', threshold: 80, minChangedLines: 1, include: ['src/**'] },
    ...extra,
  };
}
