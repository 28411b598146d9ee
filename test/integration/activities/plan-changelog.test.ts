import { afterAll, describe, expect, it } from 'vitest';
import { openGit } from '../../../activities/git.js';
import { planRelease } from '../../../activities/plan.js';
import { parseConfig } from '../../../config/load.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';

const repos: TestRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.cleanup()));
});

/** The changelog entry planned for `messages` on a real repository released as v1.0.0, under the given settings. */
async function entryFor(messages: string[], settings: string, remoteUrl?: string): Promise<string> {
  const repo = await createTestRepo({ 'a.txt': 'a\n' });
  repos.push(repo);
  await repo.git('tag', '-a', '-m', 'v1.0.0', 'v1.0.0');
  for (const message of messages) await repo.commit(message);
  await repo.push();
  // The plan reads local refs only, so the remote may name a host that is never asked.
  if (remoteUrl) await repo.git('remote', 'set-url', 'origin', remoteUrl);
  const config = parseConfig(
    `repositories:\n  - id: r\n    path: ${repo.dir}\n    test: { command: ["true"] }\n${settings}`,
    { file: null, env: {} },
  );
  const plan = await planRelease(openGit(repo.dir), config.repositories[0]!, {
    sha: await repo.head(),
    date: '2026-01-02',
  });
  return plan.changelogEntry ?? '';
}

const titles = (entry: string) => entry.match(/^### .*$/gm);
const lines = (entry: string) => entry.match(/^\* .*?(?= \([0-9a-f]{7}\)$)/gm);
const MESSAGES = ['feat(web): w', 'fix: plain', 'feat: general', 'refactor(core)!: split the core', 'feat(api): a'];

describe('the changelog entry of a plan follows the repository settings', () => {
  it('writes the conventionalcommits sections, as git lists the commits, by default', async () => {
    const entry = await entryFor(MESSAGES, '');
    expect(titles(entry)).toEqual(['### ⚠ BREAKING CHANGES', '### Features', '### Bug Fixes', '### Code Refactoring']);
    // git lists the newest commit first.
    expect(lines(entry)).toEqual([
      '* **core:** split the core',
      '* **api:** a',
      '* general',
      '* **web:** w',
      '* plain',
      '* **core:** split the core',
    ]);
  });

  it('writes the angular sections, sorted by scope, when configured so', async () => {
    // The angular preset has no `!`: its breaking change is a footer.
    const angular = MESSAGES.map((m) =>
      m.includes('!:') ? `${m.replace('!:', ':')}\n\nBREAKING CHANGE: split the core` : m,
    );
    const entry = await entryFor(angular, '    commits: { preset: angular }\n    changelog: { sort: scope }\n');
    expect(titles(entry)).toEqual(['### Bug Fixes', '### Code Refactoring', '### Features', '### BREAKING CHANGES']);
    expect(lines(entry)).toEqual([
      '* plain',
      '* **core:** split the core',
      '* **api:** a',
      '* **web:** w',
      '* general',
      '* **core:** split the core',
    ]);
  });

  it('links issue references and keeps code spans for a GitHub remote', async () => {
    const entry = await entryFor(
      ['feat: add `--dry-run` for `a >= b` (#12)'],
      '',
      'https://github.com/acme/rocket.git',
    );
    expect(entry).toMatch(
      /^\* add `--dry-run` for `a >= b` \(\[#12\]\(https:\/\/github\.com\/acme\/rocket\/issues\/12\)\) \(\[[0-9a-f]{7}\]\(https:\/\/github\.com\/acme\/rocket\/commit\/[0-9a-f]{40}\)\)$/m,
    );
  });
});
