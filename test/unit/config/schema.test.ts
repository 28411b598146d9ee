import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { DEFAULT_DATA_DIR } from '../../../config/data-dir.js';
import { ConfigFile, RepositorySettings } from '../../../config/schema.js';
import { DEFAULT_INITIAL_VERSION, DEFAULT_TAG_FORMAT } from '../../../domain/bump.js';
import { DEFAULT_COVERAGE_THRESHOLD, DEFAULT_MIN_CHANGED_LINES } from '../../../domain/diff-coverage.js';

/** Every optional setting without a `default`, as `a.b.c` paths (array items as `[]`). */
function optionalWithoutDefault(schema: any, at = ''): string[] {
  if (schema.type === 'array') return optionalWithoutDefault(schema.items, `${at}[]`);
  if (schema.type !== 'object' || !schema.properties) return [];
  const required = new Set<string>(schema.required ?? []);
  return Object.entries(schema.properties).flatMap(([key, property]: [string, any]) => {
    const path = at ? `${at}.${key}` : key;
    const own = !required.has(key) && !('default' in property) ? [path] : [];
    return [...own, ...optionalWithoutDefault(property, path)];
  });
}

describe('the configuration schema', () => {
  it('documents a default for every optional setting whose absence does not itself mean something', () => {
    // Absence here means "none" or "off" (no coverage gate, no deploy), or the default is derived
    // from another value (uiPort from port, the version check URL from the health URL).
    expect(optionalWithoutDefault(ConfigFile).sort()).toEqual([
      // Absent: no notification targets; a target has one of url and urlEnv, and is unsigned without secretEnv.
      'notify',
      'notify[].secretEnv',
      'notify[].url',
      'notify[].urlEnv',
      'reports.keyFile',
      // Derived: the release branch of branches, else main; without branches, main alone.
      'repositories[].branch',
      'repositories[].branches',
      // A rule matches on the fields it names.
      'repositories[].commits.releaseRules[].breaking',
      'repositories[].commits.releaseRules[].revert',
      'repositories[].commits.releaseRules[].scope',
      'repositories[].commits.releaseRules[].type',
      'repositories[].coverage',
      'repositories[].deploy',
      // Absent: the one environment of deploy and health; the first has no after.
      'repositories[].environments',
      'repositories[].environments[].after',
      // Absent: no approval; its from absent: the approver and admin roles.
      'repositories[].environments[].approval',
      'repositories[].environments[].approval.from',
      'repositories[].environments[].health',
      'repositories[].environments[].health.version',
      'repositories[].environments[].health.version.header',
      'repositories[].environments[].health.version.jsonField',
      'repositories[].environments[].health.version.url',
      'repositories[].health',
      'repositories[].health.version',
      'repositories[].health.version.header',
      'repositories[].health.version.jsonField',
      'repositories[].health.version.url',
      'repositories[].notify',
      'repositories[].notify[].secretEnv',
      'repositories[].notify[].url',
      'repositories[].notify[].urlEnv',
      'repositories[].path',
      // Absent: no publish steps; a step without check always runs its command, without artifact is "<name> <version>".
      'repositories[].publish',
      'repositories[].publish[].artifact',
      'repositories[].publish[].check',
      'repositories[].release.schedule',
      'repositories[].release.timezone',
      'repositories[].test.results',
      'repositories[].url',
      'repositories[].watch',
      'repositories[].webhook',
      'repositories[].webhook.remoteUrl',
      'temporal.address',
      'temporal.uiPort',
    ]);
  });

  it('takes the defaults that pure rules also apply from domain/, and load.ts applies what the schema says', () => {
    const properties = RepositorySettings.properties as any;
    expect((ConfigFile.properties as any).dataDir.default).toBe(DEFAULT_DATA_DIR);
    expect(properties.initialVersion.default).toBe(DEFAULT_INITIAL_VERSION);
    expect(properties.tagFormat.default).toBe(DEFAULT_TAG_FORMAT);
    expect(properties.coverage.properties.threshold.default).toBe(DEFAULT_COVERAGE_THRESHOLD);
    expect(properties.coverage.properties.minChangedLines.default).toBe(DEFAULT_MIN_CHANGED_LINES);

    const text =
      'repositories:\n  - id: app\n    path: ./app\n    test: { command: [npm, test] }\n    coverage: { format: lcov, path: coverage/lcov.info }\n    deploy: { command: [./deploy] }\n';
    const [repo] = parseConfig(text, { file: '/srv/shipgate.config.yaml', env: {} }).repositories;
    expect(repo).toMatchObject({
      branch: 'main',
      branches: [{ name: 'main', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true }],
      remote: properties.remote.default,
      coverage: {
        threshold: DEFAULT_COVERAGE_THRESHOLD,
        minChangedLines: DEFAULT_MIN_CHANGED_LINES,
        include: [],
        exclude: [],
      },
      deploy: {
        environment: properties.deploy.properties.environment.default,
        retries: properties.deploy.properties.retries.default,
      },
    });
  });

  it('gives each repository its own copy of a defaulted list', () => {
    const text =
      'repositories:\n' +
      ['a', 'b']
        .map(
          (id) =>
            `  - id: ${id}\n    path: ./${id}\n    test: { command: [npm, test] }\n    coverage: { format: lcov, path: lcov.info }\n`,
        )
        .join('');
    const [a, b] = parseConfig(text, { file: '/srv/shipgate.config.yaml', env: {} }).repositories;
    a!.coverage!.include.push('src/**');
    expect(b!.coverage!.include).toEqual([]);
    expect((RepositorySettings.properties as any).coverage.properties.include.default).toEqual([]);
  });
});
