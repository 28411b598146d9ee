import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planReadWorkflow } from '../../../workflows/reads.js';
import type { RepositoryInput } from '../../../config/schema.js';
import { releaseStateQuery, type ReleaseInput } from '../../../vocabulary/messages.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { failedReleaseRun, runRelease, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Release channels through the real release: a real repository and its bare file:// remote, the
 * real worker and `releaseWorkflow` (QA included) on the shared dev server. One repository walks
 * the branch model as people use it: main at v1.0.0, a beta line, its merge into main, then a
 * maintenance line of 1.x; a second one promotes a release candidate.
 */
let worker: TestWorker;
let lines: TestRepo;
let candidate: TestRepo;
let hosted: TestRepo;

const BRANCHES: NonNullable<RepositoryInput['branches']> = ['main', { name: 'beta', prerelease: true }, '1.x', '1.0.x'];

const release = (input: ReleaseInput) => runRelease(worker, input);
const failedRelease = (input: ReleaseInput) => failedReleaseRun(worker, input);

/** The catalogue code of a failed run, wherever in its chain of causes it is. */
function failureType(error: unknown): string | undefined {
  for (let at = error as (Error & { type?: string; cause?: unknown }) | undefined; at; at = at.cause as typeof at)
    if (at.type) return at.type;
  return undefined;
}

/** What the remote has: each branch's commit and each tag's. */
async function remoteRefs(r: TestRepo): Promise<Map<string, string>> {
  const out = await r.git('ls-remote', 'origin');
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.split('\t')[1]!, line.split('\t')[0]!] as const),
  );
}

/** One version's entry of CHANGELOG.md as the branch at `ref` has it. */
async function changelogEntry(r: TestRepo, ref: string, version: string): Promise<string> {
  const changelog = await r.git('show', `${ref}:CHANGELOG.md`);
  const start = changelog.indexOf(`## ${version} `);
  expect(start, `CHANGELOG.md at ${ref} has ${version}`).toBeGreaterThanOrEqual(0);
  const next = changelog.indexOf('\n## ', start + 1);
  return changelog.slice(start, next < 0 ? undefined : next);
}

const doc = (text: string) => ({ [`docs/${text.replace(/\W+/g, '-')}.md`]: `${text}\n` });

describe('release channels', () => {
  beforeAll(async () => {
    lines = await createTestRepo(SAMPLE_FILES);
    candidate = await createTestRepo(SAMPLE_FILES);
    hosted = await createTestRepo(SAMPLE_FILES);
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings('ch-lines', lines.dir, { branches: BRANCHES }),
        sampleRepoSettings('ch-candidate', candidate.dir, {
          branches: ['main', { name: 'next', prerelease: 'rc' }, { name: 'alpha', prerelease: true }],
        }),
        {
          // A url repository (a worker-local clone) that deploys: its prerelease branch does not.
          ...sampleRepoSettings('ch-hosted', hosted.dir, {
            branches: ['main', { name: 'beta', prerelease: true }],
            deploy: { command: ['node', '-e', 'process.exit(0)'] },
          }),
          path: undefined,
          url: hosted.remote,
        },
      ]),
    );
  });

  afterAll(async () => {
    await worker?.stop();
    await lines?.cleanup();
    await candidate?.cleanup();
    await hosted?.cleanup();
  });

  it('releases a prerelease branch on its channel: 2.0.0-beta.1, then 2.0.0-beta.2; main is untouched', async () => {
    await lines.commit('feat: numbers', doc('numbers'));
    await lines.push();
    const first = await release({ repoId: 'ch-lines' });
    expect(first.result).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0' });
    const mainAtRelease = (await remoteRefs(lines)).get('refs/heads/main');

    await lines.git('checkout', '-q', '-b', 'beta');
    await lines.commit('feat!: numbers are strings now', doc('strings'));
    await lines.git('push', '-q', 'origin', 'beta');
    const { handle, result } = await release({ repoId: 'ch-lines', branch: 'beta' });
    expect(result).toMatchObject({ outcome: 'released', version: '2.0.0-beta.1', tag: 'v2.0.0-beta.1' });
    const state = await handle.query(releaseStateQuery);
    expect(state).toMatchObject({ branch: 'beta', channel: 'beta', previousVersion: '1.0.0' });
    const described = await handle.describe();
    expect(described.searchAttributes.ShipgateBranch).toEqual(['beta']);

    let remote = await remoteRefs(lines);
    expect(remote.get('refs/heads/beta')).toBe(result.releaseCommit);
    expect(remote.has('refs/tags/v2.0.0-beta.1')).toBe(true);
    expect(remote.get('refs/heads/main')).toBe(mainAtRelease);
    expect(await changelogEntry(lines, 'origin/beta', '2.0.0-beta.1')).toContain('numbers are strings now');
    const version = parse(await readFile(path.join(lines.dir, 'config/version.yml'), 'utf8'));
    expect(version).toMatchObject({ version: '2.0.0-beta.1', tag: 'v2.0.0-beta.1', channel: 'beta', branch: 'beta' });

    await lines.commit('fix: strings keep their zeros', doc('zeros'));
    await lines.git('push', '-q', 'origin', 'beta');
    const second = await release({ repoId: 'ch-lines', branch: 'beta' });
    expect(second.result).toMatchObject({ outcome: 'released', version: '2.0.0-beta.2' });
    remote = await remoteRefs(lines);
    expect(remote.get('refs/heads/beta')).toBe(second.result.releaseCommit);
    expect(remote.get('refs/heads/main')).toBe(mainAtRelease);
    expect(await changelogEntry(lines, 'origin/beta', '2.0.0-beta.2')).toContain('strings keep their zeros');
    // QA measured from beta's last release, not from main's.
    const report = await readFile(path.join(lines.dir, 'context', second.result.qaReport!), 'utf8');
    expect(report).toContain('1 commit since `v2.0.0-beta.1`');
  });

  it('merging beta into main releases 2.0.0 with every change since 1.0.0 and none of the beta release commits', async () => {
    await lines.git('checkout', '-q', 'main');
    await lines.git('merge', '-q', '--no-ff', '-m', "Merge branch 'beta'", 'beta');
    await lines.push();
    const { handle, result } = await release({ repoId: 'ch-lines' });
    expect(result).toMatchObject({ outcome: 'released', version: '2.0.0', tag: 'v2.0.0' });
    expect(await handle.query(releaseStateQuery)).toMatchObject({
      branch: 'main',
      channel: 'latest',
      previousVersion: '1.0.0',
    });
    const entry = await changelogEntry(lines, 'origin/main', '2.0.0');
    expect(entry).toContain('numbers are strings now');
    expect(entry).toContain('strings keep their zeros');
    expect(entry).not.toContain('2.0.0-beta');
    expect(entry).not.toContain('chore(release)');
    expect((await remoteRefs(lines)).get('refs/heads/main')).toBe(result.releaseCommit);
  });

  it('patches a maintenance branch within its range; a feat on 1.0.x is refused before anything is written', async () => {
    await lines.git('checkout', '-q', '-b', '1.x', 'v1.0.0');
    await lines.commit('fix: numbers round half up', doc('rounding'));
    await lines.git('push', '-q', 'origin', '1.x');
    const mainBefore = (await remoteRefs(lines)).get('refs/heads/main');
    const { handle, result } = await release({ repoId: 'ch-lines', branch: '1.x' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.1', tag: 'v1.0.1' });
    expect(await handle.query(releaseStateQuery)).toMatchObject({ branch: '1.x', channel: '1.x' });
    const remote = await remoteRefs(lines);
    expect(remote.get('refs/heads/1.x')).toBe(result.releaseCommit);
    expect(remote.has('refs/tags/v1.0.1')).toBe(true);
    expect(remote.get('refs/heads/main')).toBe(mainBefore);
    // main's last release is still 2.0.0: the plan of main measures from it.
    const plan = await worker.client.workflow.execute(planReadWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `plan:ch-lines:${Math.random().toString(36).slice(2)}`,
      args: [{ repoId: 'ch-lines', branch: 'main' }],
    });
    expect(plan.previous?.version).toBe('2.0.0');
    expect(plan.branch).toMatchObject({ name: 'main', kind: 'release', channel: 'latest' });

    await lines.git('checkout', '-q', '-b', '1.0.x', 'v1.0.0');
    const source = await lines.commit('feat: numbers in words', doc('words'));
    await lines.git('push', '-q', 'origin', '1.0.x');
    const tagsBefore = await lines.git('tag', '--list');
    const refused = await failedRelease({ repoId: 'ch-lines', branch: '1.0.x' });
    expect(refused.type).toBe('SHIPGATE_VERSION_OUT_OF_RANGE');
    // Its range is 1.0.x, and 1.x has released 1.0.1 since: that is another line's version.
    expect(refused.message).toContain(
      "1.1.0 is outside what branch 1.0.x may release (>=1.0.0 <1.0.1: 1.0.1 is another line's)",
    );
    expect(refused.activities).not.toContain('commitAndTagRelease');
    // The dry run says the same, with the same code (the API answers it 422).
    const planned = await worker.client.workflow
      .execute(planReadWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId: `plan:ch-lines:${Math.random().toString(36).slice(2)}`,
        args: [{ repoId: 'ch-lines', branch: '1.0.x' }],
      })
      .catch((e: unknown) => e);
    expect(failureType(planned)).toBe('SHIPGATE_VERSION_OUT_OF_RANGE');
    expect(await lines.head()).toBe(source);
    expect(await lines.git('tag', '--list')).toBe(tagsBefore);
    expect(await lines.git('status', '--porcelain', '--', '.', ':!context/*.md')).toBe('');
    expect((await remoteRefs(lines)).get('refs/heads/1.0.x')).toBe(source);
  });

  it('fails a branch that is not configured with SHIPGATE_UNKNOWN_BRANCH before anything is written', async () => {
    const head = await lines.head();
    const refused = await failedRelease({ repoId: 'ch-lines', branch: 'nope' });
    expect(refused.type).toBe('SHIPGATE_UNKNOWN_BRANCH');
    expect(refused.message).toContain('branch "nope" is not one of the branches of repository "ch-lines"');
    expect(refused.activities).toEqual(['pinRun', 'preflight']);
    expect(await lines.head()).toBe(head);
  });

  it('promotes a release candidate: main fast-forwarded to 1.1.0-rc.1 with no new commits releases 1.1.0', async () => {
    await candidate.commit('feat: numbers', doc('numbers'));
    await candidate.push();
    expect((await release({ repoId: 'ch-candidate' })).result).toMatchObject({ version: '1.0.0' });
    await candidate.git('checkout', '-q', '-b', 'next');
    await candidate.commit('feat: sums', doc('sums'));
    await candidate.git('push', '-q', 'origin', 'next');
    const rc = await release({ repoId: 'ch-candidate', branch: 'next' });
    expect(rc.result).toMatchObject({ outcome: 'released', version: '1.1.0-rc.1', tag: 'v1.1.0-rc.1' });

    await candidate.git('checkout', '-q', 'main');
    await candidate.git('merge', '-q', '--ff-only', 'next');
    await candidate.push();
    expect(await candidate.head()).toBe(rc.result.releaseCommit);
    const stable = await release({ repoId: 'ch-candidate' });
    expect(stable.result).toMatchObject({ outcome: 'released', version: '1.1.0', tag: 'v1.1.0' });
    expect(await changelogEntry(candidate, 'origin/main', '1.1.0')).toContain('sums');
  });

  it('the first release of a branch not pushed yet measures from the release branch and creates it on the remote', async () => {
    await candidate.git('checkout', '-q', '-b', 'alpha', 'main');
    await candidate.commit('feat: products', doc('products'));
    expect((await remoteRefs(candidate)).has('refs/heads/alpha')).toBe(false);
    const { result } = await release({ repoId: 'ch-candidate', branch: 'alpha' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.2.0-alpha.1', tag: 'v1.2.0-alpha.1' });
    expect((await remoteRefs(candidate)).get('refs/heads/alpha')).toBe(result.releaseCommit);
  });

  it('clones and releases any configured branch of a url repository; a prerelease does not deploy', async () => {
    await hosted.commit('feat: numbers', doc('numbers'));
    await hosted.push();
    const mainAt = (await remoteRefs(hosted)).get('refs/heads/main');
    await hosted.git('checkout', '-q', '-b', 'beta');
    await hosted.commit('feat: sums', doc('sums'));
    await hosted.git('push', '-q', 'origin', 'beta');

    const override = await failedRelease({ repoId: 'ch-hosted', branch: 'beta', bump: '3.0.0' });
    expect(override.type).toBe('SHIPGATE_INVALID_VERSION');
    expect(override.message).toContain('is not a -beta prerelease');

    const { result } = await release({ repoId: 'ch-hosted', branch: 'beta' });
    expect(result).toMatchObject({ outcome: 'released', version: '1.0.0-beta.1', tag: 'v1.0.0-beta.1' });
    expect(result.reason).toContain('deploys are off for prerelease branch beta (channel beta)');
    const remote = await remoteRefs(hosted);
    expect(remote.get('refs/heads/beta')).toBe(result.releaseCommit);
    expect(remote.get('refs/heads/main')).toBe(mainAt);
    await hosted.git('fetch', '-q', 'origin');
    expect(await hosted.git('show', `${result.releaseCommit}:config/version.yml`)).toContain('channel: beta');

    // A bump override applies the branch's rule: with no stable release yet, a major change is
    // still part of 1.0.0, so the next beta of 1.0.0.
    const bumped = await release({ repoId: 'ch-hosted', branch: 'beta', bump: 'major' });
    expect(bumped.result).toMatchObject({ outcome: 'released', version: '1.0.0-beta.2' });
  });
});
