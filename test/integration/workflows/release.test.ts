import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { qaWorkflow } from '../../../workflows/qa.js';
import { releaseStateQuery, type ReleaseInput } from '../../../vocabulary/messages.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { failedReleaseRun, runRelease, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const repos = new Map<string, TestRepo>();
let worker: TestWorker;
const IDS = [
  'rel-fresh',
  'rel-stale',
  'rel-failing',
  'rel-bumps',
  'rel-nothing',
  'rel-dirty',
  'rel-branch',
  'rel-behind',
  'rel-refused',
  'rel-unreachable',
  'rel-tagged',
  'rel-stranded',
  'rel-candidate',
  'rel-long',
  'rel-plan-first',
] as const;

function repo(id: (typeof IDS)[number]): TestRepo {
  return repos.get(id)!;
}

const release = (input: ReleaseInput) => runRelease(worker, input);

/** The failure of a run that must fail, and how often each activity was attempted. */
async function failedRelease(input: ReleaseInput) {
  const { type, message, attempts, activities } = await failedReleaseRun(worker, input);
  return { failure: `${type}: ${message}`, attempts, activities };
}

/** Everything a failed release may have left in the working copy: there must be nothing. */
async function expectNothingLeft(r: TestRepo, sourceSha: string) {
  expect(await r.head()).toBe(sourceSha);
  expect(await r.git('tag', '--list', '--no-merged', sourceSha)).toBe('');
  expect(await r.git('status', '--porcelain', '--untracked-files=all', '--', '.', ':!context/*.md')).toBe('');
}

async function remoteTags(r: TestRepo): Promise<string[]> {
  return (await r.git('ls-remote', '--tags', 'origin'))
    .split('\n')
    .filter((l) => l && !l.endsWith('^{}'))
    .map((l) => l.split('\t')[1]!);
}

describe('ReleaseWorkflow', () => {
  beforeAll(async () => {
    for (const id of IDS) repos.set(id, await createTestRepo(SAMPLE_FILES));
    worker = await startTestWorker(await testConfig(IDS.map((id) => sampleRepoSettings(id, repo(id).dir))));
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([...repos.values()].map((r) => r.cleanup()));
  });

  it('releases with a fresh approval without running QA again', async () => {
    const r = repo('rel-fresh');
    const sha = await r.commit('feat: subtract numbers', {
      'src/math.js':
        'export function add(a, b) {\n  return a + b;\n}\n\nexport function sub(a, b) {\n  return a - b;\n}\n',
      'test/sub.test.js':
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { sub } from '../src/math.js';\n\ntest('subtracts', () => assert.equal(sub(5, 3), 2));\n",
    });
    const qa = await worker.client.workflow.execute(qaWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `qa:rel-fresh:${sha}`,
      args: [{ repoId: 'rel-fresh', sha }],
    });
    expect(qa.outcome).toBe('test-pass');

    const { handle, result } = await release({ repoId: 'rel-fresh' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0', qaReport: qa.report });
    const state = await handle.query(releaseStateQuery);
    expect(state.qa?.reused).toBe(true);
    // Pre-flight plans the version, and one step writes the release files, commits and tags.
    expect(state.steps.map((s) => s.name)).toEqual(['pin', 'preflight', 'commit', 'push']);
    const scheduled = (await handle.fetchHistory()).events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
    expect(scheduled.length).toBeGreaterThanOrEqual(4);
    for (const event of scheduled)
      expect(event.userMetadata?.summary?.data?.length, 'every activity has a summary for the UI').toBeGreaterThan(0);

    expect(await r.git('log', '-1', '--format=%s')).toBe('chore(release): v1.0.0');
    expect((await r.git('rev-parse', 'HEAD^')).trim()).toBe(sha);
    const committed = (await r.git('show', '--name-only', '--format=', 'HEAD')).split('\n').filter(Boolean).sort();
    expect(committed).toEqual(
      ['CHANGELOG.md', 'config/version.yml', `context/${qa.report}`, 'context/release-number'].sort(),
    );
    expect(await readFile(path.join(r.dir, 'context/release-number'), 'utf8')).toBe('1.0.0\n');
    const version = parse(await readFile(path.join(r.dir, 'config/version.yml'), 'utf8'));
    expect(version).toMatchObject({ version: '1.0.0', git_sha: sha, tag: 'v1.0.0' });
    expect(version.released_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const changelog = await readFile(path.join(r.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(
      /^# Changelog\n\n## 1\.0\.0 \(\d{4}-\d\d-\d\d\)\n\n### Features\n\n\* subtract numbers \([0-9a-f]{7}\)/,
    );

    expect(await r.git('cat-file', '-t', 'v1.0.0')).toBe('tag');
    expect(await r.git('tag', '-l', '--format=%(contents)', 'v1.0.0')).toContain('### Features');
    expect(await remoteTags(r)).toContain('refs/tags/v1.0.0');
    expect((await r.git('ls-remote', 'origin', 'refs/heads/main')).split('\t')[0]).toBe(result.releaseCommit);
  });

  it('runs QA as a child when the approval is stale, then releases', async () => {
    const r = repo('rel-stale');
    await r.commit('fix: handle big numbers', {
      'src/math.js': 'export function add(a, b) {\n  return Number(a) + Number(b);\n}\n',
    });
    const { handle, result } = await release({ repoId: 'rel-stale' });
    expect(result.outcome).toBe('released');
    const state = await handle.query(releaseStateQuery);
    expect(state.qa).toMatchObject({
      workflowId: `qa:rel-stale:${state.sourceSha}`,
      outcome: 'test-pass',
      reused: false,
    });
    expect(state.steps.map((s) => s.name)).toContain('qa');
  });

  it('ends blocked-by-qa, naming the report, when QA fails', async () => {
    const r = repo('rel-failing');
    await r.commit('fix: oops', { 'src/math.js': 'export function add(a, b) {\n  return a * b;\n}\n' });
    const { result } = await release({ repoId: 'rel-failing' });
    expect(result.outcome).toBe('blocked-by-qa');
    expect(result.reason).toMatch(/test-failures \(context\/test-failures-\d{8}-\d{6}\.md\)/);
    expect(await remoteTags(r)).toEqual([]);
    expect(await r.git('log', '-1', '--format=%s')).toBe('fix: oops');
  });

  it('bumps patch, minor and major from the commits across consecutive releases', async () => {
    const r = repo('rel-bumps');
    await r.commit('feat: first');
    expect((await release({ repoId: 'rel-bumps' })).result.version).toBe('1.0.0');
    await r.commit('fix(math): a fix');
    expect((await release({ repoId: 'rel-bumps' })).result.version).toBe('1.0.1');
    await r.commit('feat(math): a feature');
    await r.commit('docs: words');
    expect((await release({ repoId: 'rel-bumps' })).result.version).toBe('1.1.0');
    await r.commit('feat!: drop the old API');
    expect((await release({ repoId: 'rel-bumps' })).result.version).toBe('2.0.0');
    await r.commit('refactor: tidy\n\nBREAKING-CHANGE: add() now needs numbers');
    expect((await release({ repoId: 'rel-bumps' })).result.version).toBe('3.0.0');
    await r.commit('chore: nothing');
    expect((await release({ repoId: 'rel-bumps', bump: 'minor' })).result.version).toBe('3.1.0');
    const changelog = await readFile(path.join(r.dir, 'CHANGELOG.md'), 'utf8');
    expect([...changelog.matchAll(/^## (\S+)/gm)].map((m) => m[1])).toEqual([
      '3.1.0',
      '3.0.0',
      '2.0.0',
      '1.1.0',
      '1.0.1',
      '1.0.0',
    ]);
    expect(await remoteTags(r)).toHaveLength(6);
  });

  it('ends nothing-to-release and writes nothing when no commit is releasable', async () => {
    const r = repo('rel-nothing');
    await r.commit('docs: readme');
    const before = await r.head();
    const { result } = await release({ repoId: 'rel-nothing' });
    expect(result.outcome).toBe('nothing-to-release');
    expect(result.reason).toMatch(/nothing to release: 2 commits, none releasable/);
    expect(await r.head()).toBe(before);
    expect(await remoteTags(r)).toEqual([]);
    expect(await r.git('status', '--porcelain', '--', 'CHANGELOG.md', 'config')).toBe('');
  });

  it('plans before QA: with nothing releasable since the last release it ends without running QA, and says so', async () => {
    const r = repo('rel-plan-first');
    await r.commit('feat: first');
    expect((await release({ repoId: 'rel-plan-first' })).result.version).toBe('1.0.0');
    await r.commit('docs: words');
    await r.commit('chore: tidy');
    const sha = await r.commit('test: more cases');
    const { handle, result } = await release({ repoId: 'rel-plan-first' });
    expect(result.outcome).toBe('nothing-to-release');
    expect(result.reason).toBe('nothing to release since v1.0.0: 3 commits, none releasable; QA was not run');
    const state = await handle.query(releaseStateQuery);
    // Pre-flight plans the version: its step says why nothing is released.
    expect(state.steps.map((s) => s.name)).toEqual(['pin', 'preflight']);
    expect(state.steps.at(-1)?.summary).toContain('nothing to release since v1.0.0');
    expect(state.plan).toMatchObject({ bump: null, commits: 3 });
    expect(state.qa).toBeNull();
    const events = (await handle.fetchHistory()).events ?? [];
    expect(
      events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes),
      'no QA child was started',
    ).toEqual([]);
    const reports = await r.git('status', '--porcelain', '--untracked-files=all', '--', 'context');
    expect(reports, 'no QA report was written for the commit').toBe('');
    expect(await r.head()).toBe(sha);
  });

  it('refuses a dirty work tree, at the first attempt', async () => {
    const r = repo('rel-dirty');
    await r.write('src/math.js', '// uncommitted\n');
    const { failure, attempts } = await failedRelease({ repoId: 'rel-dirty' });
    expect(failure).toMatch(/SHIPGATE_DIRTY_WORK_TREE: the work tree of "rel-dirty" is not clean/);
    expect(attempts.preflight).toBe(1);
  });

  it('refuses to release from another branch, at the first attempt', async () => {
    const r = repo('rel-branch');
    await r.git('checkout', '-q', '-b', 'topic');
    const { failure, attempts } = await failedRelease({ repoId: 'rel-branch' });
    expect(failure).toMatch(/SHIPGATE_WRONG_BRANCH: .* on branch topic, not on the release branch main/);
    expect(attempts.preflight).toBe(1);
  });

  it('refuses a branch that is behind its remote', async () => {
    const r = repo('rel-behind');
    const other = await createTestRepo({});
    await other.git('fetch', '-q', r.remote, 'main');
    await other.git('reset', '-q', '--hard', 'FETCH_HEAD');
    await other.commit('feat: from elsewhere');
    await other.git('push', '-q', r.remote, 'HEAD:main');
    await other.cleanup();
    const { failure, attempts } = await failedRelease({ repoId: 'rel-behind' });
    expect(failure).toMatch(/SHIPGATE_BRANCH_BEHIND: main at [0-9a-f]{7} is behind origin\/main/);
    expect(attempts.preflight).toBe(1);
  });

  it('undoes the local release when the remote refuses the push, without retrying, and releases once the refusal is lifted', async () => {
    const r = repo('rel-refused');
    const hook = path.join(r.remote.replace('file://', ''), 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "main is a protected branch" >&2\nexit 1\n', { mode: 0o755 });
    const source = await r.commit('fix: a fix for production');
    const { failure, attempts, activities } = await failedRelease({ repoId: 'rel-refused' });
    expect(failure).toMatch(/^SHIPGATE_PUSH_REJECTED: .*pre-receive hook declined/);
    expect(failure).toContain('main is a protected branch');
    expect(attempts.pushRelease).toBe(1);
    expect(activities).toContain('undoRelease');
    await expectNothingLeft(r, source);
    expect(await remoteTags(r)).toEqual([]);
    const reports = await r.git('status', '--porcelain', '--untracked-files=all', '--', 'context');
    expect(reports, 'the QA report the release commit had taken in is back, untracked').toMatch(
      /^\?\? context\/test-pass-\d{8}-\d{6}\.md$/m,
    );

    await rm(hook);
    const { result } = await release({ repoId: 'rel-refused' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.0' });
    expect(await remoteTags(r)).toEqual(['refs/tags/v1.0.0']);
    expect((await r.git('ls-remote', 'origin', 'refs/heads/main')).split('\t')[0]).toBe(result.releaseCommit);
  });

  it('undoes the local release when every push attempt fails, and releases once the remote answers', async () => {
    const r = repo('rel-unreachable');
    await r.git('remote', 'set-url', '--push', 'origin', `${r.remote}-gone`);
    const source = await r.commit('fix: another fix');
    const { failure, attempts } = await failedRelease({ repoId: 'rel-unreachable' });
    expect(failure).toMatch(/^SHIPGATE_PUSH_FAILED: push to origin failed/);
    expect(attempts.pushRelease).toBe(5);
    await expectNothingLeft(r, source);
    expect(await remoteTags(r)).toEqual([]);

    await r.git('remote', 'set-url', '--delete', '--push', 'origin', `${r.remote}-gone`);
    const { result } = await release({ repoId: 'rel-unreachable' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.0' });
    expect(await remoteTags(r)).toEqual(['refs/tags/v1.0.0']);
  });

  it('fails tag-exists before writing anything, and the release after it makes one release commit', async () => {
    const r = repo('rel-tagged');
    await r.git('tag', '-a', '-m', 'v1.0.0', 'v1.0.0');
    await r.git('push', '-q', 'origin', 'v1.0.0');
    const source = await r.commit('feat: a feature');
    const unrelated = (
      await r.git('commit-tree', '-m', 'unrelated', (await r.git('hash-object', '-t', 'tree', '/dev/null')).trim())
    ).trim();
    await r.git('tag', '-a', '-m', 'not a release', 'v1.1.0', unrelated);
    const { failure, activities, attempts } = await failedRelease({ repoId: 'rel-tagged' });
    expect(failure).toMatch(/^SHIPGATE_TAG_EXISTS: tag v1\.1\.0 already exists/);
    expect(Math.max(...Object.values(attempts))).toBe(1);
    expect(activities).not.toContain('writeReleaseFiles');
    expect(await r.head()).toBe(source);
    expect(await r.git('status', '--porcelain', '--untracked-files=all', '--', '.', ':!context/*.md')).toBe('');

    await r.git('tag', '--delete', 'v1.1.0');
    const { result } = await release({ repoId: 'rel-tagged' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.1.0' });
    const subjects = (await r.git('log', '--format=%s', 'origin/main')).split('\n');
    expect(subjects.filter((s) => s === 'chore(release): v1.1.0')).toHaveLength(1);
    expect((await r.git('rev-parse', 'HEAD^')).trim()).toBe(source);
  });

  it('names a release an earlier push left stranded, and releases once it is undone', async () => {
    const r = repo('rel-stranded');
    const source = await r.commit('fix: the fix production waits for');
    const stranded = await r.commit('chore(release): v1.0.0', { 'CHANGELOG.md': '# Changelog\n\n## 1.0.0\n' });
    await r.git('tag', '-a', '-m', 'never pushed', 'v1.0.0');
    const { failure } = await failedRelease({ repoId: 'rel-stranded' });
    expect(failure).toContain(
      `SHIPGATE_TAG_EXISTS: tag v1.0.0 already exists here on ${stranded.slice(0, 7)}; nothing was written; a release that was never pushed`,
    );
    expect(await r.head()).toBe(stranded);

    await r.git('tag', '--delete', 'v1.0.0');
    await r.git('reset', '-q', '--hard', `${stranded.slice(0, 7)}^`);
    const { result } = await release({ repoId: 'rel-stranded' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.0' });
    expect((await r.git('rev-parse', 'origin/main^')).trim()).toBe(source);
    expect(await remoteTags(r)).toEqual(['refs/tags/v1.0.0']);
  });

  it('promotes a release candidate: a prerelease tag is never the last release', async () => {
    const r = repo('rel-candidate');
    await r.git('tag', '-a', '-m', 'v1.0.0', 'v1.0.0');
    await r.commit('feat: in the candidate');
    await r.push();
    await r.git('tag', '-a', '-m', 'v1.1.0-rc.1', 'v1.1.0-rc.1');
    await r.git('push', '-q', 'origin', 'v1.0.0', 'v1.1.0-rc.1');
    const { result } = await release({ repoId: 'rel-candidate' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.1.0', tag: 'v1.1.0' });
    expect(await r.git('tag', '-l', '--format=%(contents)', 'v1.1.0')).toContain('in the candidate');
    const qaReport = await readFile(path.join(r.dir, 'context', result.qaReport!), 'utf8');
    expect(qaReport, 'QA measures from the same last release').toMatch(/^base: v1\.0\.0$/m);
  });

  it('releases a changelog entry longer than one command-line argument may be', async () => {
    const r = repo('rel-long');
    // Subjects stay under the parser's header bound, so every one of them reaches the entry whole.
    for (let i = 0; i < 170; i += 1) await r.commit(`fix: ${`${i} a long subject `.repeat(50).slice(0, 980)}`);
    const { result } = await release({ repoId: 'rel-long' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.0' });
    const message = await r.git('tag', '-l', '--format=%(contents)', 'v1.0.0');
    expect(message.length).toBeGreaterThan(128 * 1024);
    expect(message).toMatch(/^## 1\.0\.0 /);
    expect(await remoteTags(r)).toEqual(['refs/tags/v1.0.0']);
  });
});
