import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config/load.js';

const repo = (extra: string) =>
  `repositories:\n  - id: app\n    path: ./app\n    test: { command: [npm, test] }\n${extra}`;

function branchesOf(extra: string) {
  const [settings] = parseConfig(repo(extra), { file: '/srv/shipgate.config.yaml', env: {} }).repositories;
  return settings;
}

describe('branches in the configuration', () => {
  it('reads release, prerelease and maintenance branches, the release branch first', () => {
    const settings = branchesOf(
      '    branches:\n      - 1.x\n      - main\n      - { name: beta, prerelease: true }\n      - { name: next, prerelease: rc, channel: candidates }\n      - { name: legacy, range: 1.2.x, deploy: true }\n',
    );
    expect(settings?.branch).toBe('main');
    expect(settings?.branches).toEqual([
      { name: 'main', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true },
      {
        name: '1.x',
        kind: 'maintenance',
        channel: '1.x',
        prerelease: null,
        range: { min: '1.0.0', max: '2.0.0' },
        deploy: false,
      },
      { name: 'beta', kind: 'prerelease', channel: 'beta', prerelease: 'beta', range: null, deploy: false },
      { name: 'next', kind: 'prerelease', channel: 'candidates', prerelease: 'rc', range: null, deploy: false },
      {
        name: 'legacy',
        kind: 'maintenance',
        channel: 'legacy',
        prerelease: null,
        range: { min: '1.2.0', max: '1.3.0' },
        deploy: true,
      },
    ]);
  });

  it('keeps a repository without branches on its one release branch', () => {
    expect(branchesOf('    branch: trunk\n')?.branches).toEqual([
      { name: 'trunk', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true },
    ]);
    expect(branchesOf('    branch: main\n    branches: [main, { name: beta, prerelease: true }]\n')?.branch).toBe(
      'main',
    );
  });

  it.each([
    ['no release branch', '    branches: [1.x, { name: beta, prerelease: true }]\n', /has no release branch/],
    ['two release branches', '    branches: [main, next]\n', /2 release branches \(main, next\)/],
    ['a branch twice', '    branches: [main, main]\n', /main is listed twice/],
    [
      'branch disagreeing',
      '    branch: trunk\n    branches: [main]\n',
      /trunk is not the release branch of branches \(main\)/,
    ],
    [
      'one prerelease id twice',
      '    branches: [main, { name: beta, prerelease: true }, { name: b2, prerelease: beta }]\n',
      /both release -beta prereleases/,
    ],
    ['a numeric prerelease id', '    branches: [main, { name: "1", prerelease: true }]\n', /not only digits/],
    [
      'a prerelease with a range',
      '    branches: [main, { name: beta, prerelease: true, range: 1.x }]\n',
      /both a prerelease/,
    ],
    [
      'a channel twice',
      '    branches: [main, { name: beta, prerelease: true, channel: latest }]\n',
      /both release on channel latest/,
    ],
  ])('refuses %s with a message naming it', (_, extra, message) => {
    expect(() => branchesOf(extra)).toThrow(ConfigError);
    expect(() => branchesOf(extra)).toThrow(message);
  });

  it('reads commit rules and changelog settings with their defaults', () => {
    expect(branchesOf('')).toMatchObject({
      commits: { preset: 'conventionalcommits', merges: 'count', releaseRules: [] },
      changelog: { sort: 'none' },
    });
    expect(
      branchesOf(
        '    commits: { preset: angular, merges: ignore, releaseRules: [{ type: refactor, release: patch }, { scope: no-release, release: false }] }\n    changelog: { sort: scope }\n',
      ),
    ).toMatchObject({
      commits: {
        preset: 'angular',
        merges: 'ignore',
        releaseRules: [
          { type: 'refactor', release: 'patch' },
          { scope: 'no-release', release: false },
        ],
      },
      changelog: { sort: 'scope' },
    });
    expect(() => branchesOf('    commits: { releaseRules: [{ type: feat, release: huge }] }\n')).toThrow(ConfigError);
  });
});
