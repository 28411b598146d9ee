import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { refusal, where } from './refusal.js';

const repo = (extra: string) =>
  `repositories:\n  - id: webshop\n    path: ./webshop\n    test: { command: [npm, test] }\n${extra}`;

describe('parseConfig', () => {
  it('applies every default and resolves paths against the file', () => {
    const config = parseConfig(repo(''), where);
    expect(config.dataDir).toBe('/etc/shipgate/data');
    expect(config.temporal).toMatchObject({
      address: null,
      namespace: 'default',
      taskQueue: 'shipgate',
      port: 7233,
      uiPort: 8233,
      heartbeatTimeoutMs: 20_000,
    });
    expect(config.api).toEqual({ host: '127.0.0.1', port: 3000, tokens: [] });
    expect(config.repositories[0]).toMatchObject({
      id: 'webshop',
      source: { kind: 'path', path: '/etc/shipgate/webshop' },
      branch: 'main',
      remote: 'origin',
      tagFormat: 'v${version}',
      initialVersion: '1.0.0',
      test: { command: ['npm', 'test'], timeoutMs: 1_800_000, results: null },
      coverage: null,
      deploy: null,
      health: null,
      watch: null,
      release: { auto: false, schedule: null, timezone: null },
    });
  });

  it('lets the environment choose the cluster, ports and data folder', () => {
    const config = parseConfig(repo(''), {
      ...where,
      env: { TEMPORAL_ADDRESS: 'temporal:7233', SHIPGATE_API_PORT: '8080', SHIPGATE_DATA_DIR: '/var/lib/shipgate' },
    });
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.api.port).toBe(8080);
    expect(config.dataDir).toBe('/var/lib/shipgate');
  });

  it('reads durations, health checks and version checks', () => {
    const config = parseConfig(
      repo(
        '    deploy: { command: [./deploy.sh], timeout: 90s, decisionTimeout: 2h }\n    health: { url: "http://127.0.0.1:8080/healthz", interval: 500ms, version: { header: x-version } }\n',
      ),
      where,
    );
    expect(config.repositories[0]?.deploy).toMatchObject({
      timeoutMs: 90_000,
      decisionTimeoutMs: 7_200_000,
      retries: 2,
      environment: 'production',
    });
    expect(config.repositories[0]?.health).toMatchObject({
      intervalMs: 500,
      version: { url: 'http://127.0.0.1:8080/healthz', header: 'x-version', jsonField: null },
    });
  });

  it.each([
    ['a field of the wrong type', repo('    branch: 7\n'), /repositories\[0\]\.branch must be string/],
    ['an unknown field', repo('    colour: blue\n'), /repositories\[0\] must not have additional properties: colour/],
    [
      'a command given as one string',
      'repositories:\n  - id: w\n    path: .\n    test: { command: "npm test" }\n',
      /repositories\[0\]\.test\.command must be array/,
    ],
    [
      'an empty command',
      'repositories:\n  - id: w\n    path: .\n    test: { command: [] }\n',
      /test\.command must not have fewer than 1 items/,
    ],
    ['a bad duration', repo('    deploy: { command: [x], timeout: soon }\n'), /deploy\.timeout must match pattern/],
    [
      'a repository id with a slash',
      'repositories:\n  - id: ../etc\n    path: .\n    test: { command: [x] }\n',
      /repositories\[0\]\.id must match pattern/,
    ],
    [
      'a branch that looks like an option',
      repo('    branch: --upload-pack=x\n'),
      /repositories\[0\]\.branch must match pattern/,
    ],
    ['both a path and a url', repo('    url: https://example.com/x.git\n'), /exactly one of path .* or url/],
    [
      'a duplicated id',
      `${repo('')}  - id: webshop\n    path: .\n    test: { command: [x] }\n`,
      /"webshop" is used twice/,
    ],
    ['YAML that does not parse', 'repositories: [\n', /not valid YAML/],
    ['no repositories list', 'api: { port: 1 }\n', /must have required properties repositories|repositories/],
    ['a port from the environment that is no port', repo(''), /port "x" from the environment/],
  ])('refuses %s, naming the field and the reason', (_what, text, reason) => {
    const message = _what.includes('environment')
      ? (() => {
          try {
            parseConfig(text, { ...where, env: { SHIPGATE_API_PORT: 'x' } });
          } catch (error) {
            return (error as Error).message;
          }
          return '';
        })()
      : refusal(text);
    expect(message).toMatch(reason);
    expect(message.split('\n')).toHaveLength(1);
  });
});
