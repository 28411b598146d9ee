import { afterAll, describe, expect, it } from 'vitest';
import { openGit } from '../../../activities/git.js';
import { planRelease } from '../../../activities/plan.js';
import { releaseCommitMessage } from '../../../activities/release.js';
import { parseConfig } from '../../../config/load.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';

const repos: TestRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.cleanup()));
});

/** A repository released as v1.0.0, then the commits a scenario adds, planned on real git history. */
async function planAfter(build: (repo: TestRepo) => Promise<void>) {
  const repo = await createTestRepo({ 'a.txt': 'a\n' });
  repos.push(repo);
  await repo.git('tag', '-a', '-m', 'v1.0.0', 'v1.0.0');
  await build(repo);
  const config = parseConfig(`repositories:\n  - id: r\n    path: ${repo.dir}\n    test: { command: ["true"] }\n`, {
    file: null,
    env: {},
  });
  return planRelease(openGit(repo.dir), config.repositories[0]!, { sha: await repo.head(), date: '2026-01-02' });
}

describe('release plans on real histories', () => {
  it('cancels a feature and its revert when both are in the range', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('feat: shiny', { 'b.txt': 'b\n' });
      await repo.git('revert', '--no-edit', 'HEAD');
      await repo.commit('docs: words');
    });
    expect(plan.version).toBeNull();
    expect(plan.reason).toMatch(/nothing to release since v1.0.0: 3 commits, none releasable/);
  });

  it('makes a lone revert of an already released commit a patch', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.git('revert', '--no-edit', 'HEAD');
    });
    expect(plan).toMatchObject({ version: '1.0.1', bump: 'patch' });
    expect(plan.changelogEntry).toContain('### Reverts');
  });

  it('counts a merge through the commits it brings, not the merge commit', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.git('checkout', '-q', '-b', 'topic');
      await repo.commit('feat(topic): from a branch', { 'c.txt': 'c\n' });
      await repo.git('checkout', '-q', 'main');
      await repo.commit('fix: on main', { 'd.txt': 'd\n' });
      await repo.git('merge', '--no-ff', '-q', '-m', 'Merge branch topic', 'topic');
    });
    expect(plan).toMatchObject({ version: '1.1.0', bump: 'minor', commitCount: 3 });
    expect(plan.commits.find((c) => c.subject === 'Merge branch topic')?.bump ?? null).toBeNull();
    expect(plan.changelogEntry).toMatch(/### Features\n\n\* \*\*topic:\*\* from a branch/);
  });

  it.each([
    ['feat!: drop the v1 API', '2.0.0'],
    ['feat(api)!: drop the v1 API', '2.0.0'],
    ['refactor: rename\n\nBREAKING CHANGE: callers must rename', '2.0.0'],
    ['fix: rename\n\nBREAKING-CHANGE: callers must rename', '2.0.0'],
    ['perf: faster', '1.0.1'],
    ['chore(release): v1.0.1', null],
    ['feat: quietly [skip release]', null],
  ])('plans %j as %s', async (message, version) => {
    const plan = await planAfter(async (repo) => {
      await repo.commit(message);
    });
    expect(plan.version).toBe(version);
  });
});

describe('the last release is a stable release the remote has', () => {
  it('plans a major after a feat! released only as a beta', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('feat!: drop the v1 API');
      await repo.push();
      await repo.git('tag', '-a', '-m', 'v2.0.0-beta.1', 'v2.0.0-beta.1');
      await repo.commit('fix: after the beta');
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.0.0' }, version: '2.0.0', bump: 'major' });
    expect(plan.changelogEntry).toMatch(/### ⚠ BREAKING CHANGES\n\n\* drop the v1 API/);
  });

  it('keeps a feature made before a beta in the stable entry', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('feat: before the beta');
      await repo.push();
      await repo.git('tag', '-a', '-m', 'v1.1.0-beta.1', 'v1.1.0-beta.1');
      await repo.commit('fix: after the beta');
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.0.0' }, version: '1.1.0' });
    expect(plan.changelogEntry).toContain('before the beta');
    expect(plan.changelogEntry).toContain('after the beta');
  });

  it('promotes a release candidate with no new commits', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('feat: in the candidate');
      await repo.push();
      await repo.git('tag', '-a', '-m', 'v1.1.0-rc.1', 'v1.1.0-rc.1');
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.0.0' }, version: '1.1.0', commitCount: 1 });
  });

  it('does not count a tag whose commit the remote release branch does not have', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('fix: never pushed');
      await repo.git('tag', '-a', '-m', 'v1.0.1', 'v1.0.1');
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.0.0' }, version: '1.0.1', commitCount: 1 });
  });
});

describe('the last release is found in the same walk as the commits since it', () => {
  it('takes a release tagged on a side branch once the branch is merged, and counts only what came after it', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.git('checkout', '-q', '-b', 'maintenance');
      await repo.commit('fix: hotfix on the side', { 'h.txt': 'h\n' });
      await repo.git('tag', '-a', '-m', 'v1.0.1', 'v1.0.1');
      await repo.git('checkout', '-q', 'main');
      await repo.commit('feat: on main', { 'm.txt': 'm\n' });
      await repo.git('merge', '--no-ff', '-q', '-m', 'Merge branch maintenance', 'maintenance');
      await repo.push();
      await repo.commit('fix: after the merge', { 'n.txt': 'n\n' });
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.0.1' }, version: '1.1.0', commitCount: 3 });
    expect(plan.commits.map((c) => c.subject)).toEqual(['after the merge', 'Merge branch maintenance', 'on main']);
  });

  it('does not count a higher release tagged on a branch that was never merged', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.git('checkout', '-q', '-b', 'experiment');
      await repo.commit('feat: never merged', { 'x.txt': 'x\n' });
      await repo.git('tag', '-a', '-m', 'v3.0.0', 'v3.0.0');
      await repo.git('checkout', '-q', 'main');
      await repo.commit('fix: on main', { 'm.txt': 'm\n' });
      await repo.push();
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.0.0' }, version: '1.0.1', commitCount: 1 });
  });

  it('takes the highest stable version of several tags on one commit', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('feat: the feature', { 'f.txt': 'f\n' });
      await repo.git('tag', '-a', '-m', 'rc', 'v1.1.0-rc.1');
      await repo.git('tag', 'v1.1.0');
      await repo.git('tag', '-a', '-m', 'old', 'v1.0.9');
      await repo.git('tag', 'release-7.0.0');
      await repo.push();
      await repo.commit('fix: after the release', { 'g.txt': 'g\n' });
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.1.0' }, version: '1.1.1', commitCount: 1 });
  });

  it('plans nothing at the released commit itself', async () => {
    const plan = await planAfter(async (repo) => {
      await repo.commit('feat: the feature', { 'f.txt': 'f\n' });
      await repo.git('tag', 'v1.1.0');
      await repo.push();
    });
    expect(plan).toMatchObject({ previous: { tag: 'v1.1.0' }, version: null, commitCount: 0, commits: [] });
  });
});

describe('commit rules on real histories', () => {
  /** `planAfter` with `commits:` settings for the repository (YAML, indented under it). */
  async function planWith(commits: string, build: (repo: TestRepo) => Promise<void>) {
    const repo = await createTestRepo({ 'a.txt': 'a\n' });
    repos.push(repo);
    await repo.git('tag', '-a', '-m', 'v1.0.0', 'v1.0.0');
    await build(repo);
    const yaml = `repositories:\n  - id: r\n    path: ${repo.dir}\n    test: { command: ["true"] }\n${commits}`;
    const config = parseConfig(yaml, { file: null, env: {} });
    return planRelease(openGit(repo.dir), config.repositories[0]!, { sha: await repo.head(), date: '2026-01-02' });
  }

  const topicMergedAs = (title: string) => async (repo: TestRepo) => {
    await repo.git('checkout', '-q', '-b', 'topic');
    await repo.commit('chore: prepare the topic', { 'c.txt': 'c\n' });
    await repo.commit('chore: finish the topic', { 'c.txt': 'c2\n' });
    await repo.git('checkout', '-q', 'main');
    await repo.git('merge', '--no-ff', '-q', '-m', title, 'topic');
  };

  it('releases a minor for a --no-ff merge titled `feat: add topic (#12)` over chores', async () => {
    const plan = await planWith('', topicMergedAs('feat: add topic (#12)'));
    expect(plan).toMatchObject({ version: '1.1.0', bump: 'minor', commitCount: 3 });
    expect(plan.commits[0]).toMatchObject({ type: 'feat', subject: 'add topic (#12)', reason: 'feat → minor' });
    expect(plan.changelogEntry).toContain('add topic (#12)');
  });

  it('releases nothing for the same merge with merges: ignore', async () => {
    const plan = await planWith('    commits: { merges: ignore }\n', topicMergedAs('feat: add topic (#12)'));
    expect(plan).toMatchObject({ version: null });
    expect(plan.commits[0]?.reason).toBe('ignored: merge commit');
  });

  it('ignores shipgate release commits by their trailer, and reads a person’s `chore(release)!:` as a major', async () => {
    const ours = await planWith('', async (repo) => {
      await repo.commit(releaseCommitMessage('v1.0.1'));
    });
    expect(ours).toMatchObject({ version: null });
    expect(ours.commits[0]?.reason).toBe('ignored: release commit');

    const person = await planWith('', async (repo) => {
      await repo.commit('chore(release)!: drop the v1 API');
    });
    expect(person).toMatchObject({ version: '2.0.0', bump: 'major' });
  });

  it.each([
    ['feat: quietly [release skip]', null],
    ['feat: quietly [SKIP  release]', null],
    ['fix(a(b)): nested scope', '1.0.1'],
  ])('plans %j as %s', async (message, version) => {
    const plan = await planWith('', async (repo) => {
      await repo.commit(message);
    });
    expect(plan.version).toBe(version);
  });

  it('reads a message with leading whitespace as semantic-release does, trimmed', async () => {
    const plan = await planWith('', async (repo) => {
      await repo.git('commit', '--allow-empty', '-q', '--cleanup=verbatim', '-m', '  feat(api): indented');
    });
    expect(plan).toMatchObject({ version: '1.1.0' });
    expect(plan.commits[0]).toMatchObject({ type: 'feat', scope: 'api', subject: 'indented' });
  });

  it('applies releaseRules and the preset from the configuration', async () => {
    const rules = '    commits:\n      preset: angular\n      releaseRules: [{ type: refactor, release: patch }]\n';
    const plan = await planWith(rules, async (repo) => {
      await repo.commit('feat!: not Conventional under angular');
      await repo.commit('refactor: split the planner');
    });
    expect(plan).toMatchObject({ version: '1.0.1', bump: 'patch' });
    expect(plan.commits.map((c) => c.reason)).toEqual([
      'releaseRules[0] (refactor) → patch',
      'not a conventional commit → no release',
    ]);
  });
});
