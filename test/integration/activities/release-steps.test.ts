import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReleaseActivities, type ReleaseActivities } from '../../../activities/release.js';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { TEST_REPORT_KEYS, testConfig } from '../../helpers/temporal.js';

const repos: TestRepo[] = [];
let acts: ReleaseActivities;
let moved: TestRepo;
let retried: TestRepo;
let undone: TestRepo;
let oneStep: TestRepo;

async function stepsUpToTag(repoId: string) {
  const preflight = await acts.preflight({ repoId });
  const plan = await acts.planVersion({ repoId, sha: preflight.sha, releasedAt: '2026-01-02T03:04:05.000Z' });
  const files = {
    repoId,
    sourceSha: preflight.sha,
    version: plan.version!,
    tag: plan.tag!,
    releasedAt: '2026-01-02T03:04:05.000Z',
    changelogEntry: plan.changelogEntry!,
    evidence: [],
  };
  return { preflight, plan, files };
}

describe('release steps, called as a retry would call them', () => {
  beforeAll(async () => {
    moved = await createTestRepo(SAMPLE_FILES);
    retried = await createTestRepo(SAMPLE_FILES);
    undone = await createTestRepo(SAMPLE_FILES);
    oneStep = await createTestRepo(SAMPLE_FILES);
    repos.push(moved, retried, undone, oneStep);
    const config = await testConfig([
      sampleRepoSettings('one-step', oneStep.dir),
      sampleRepoSettings('moved', moved.dir),
      sampleRepoSettings('retried', retried.dir),
      sampleRepoSettings('undone', undone.dir),
    ]);
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    acts = createReleaseActivities({
      config,
      workerId: 'test',
      taskQueue: 'unused',
      logger: pino({ level: 'silent' }),
      client,
      startRelease: () => Promise.reject(new Error('the release steps start no run')),
      reportKeys: TEST_REPORT_KEYS,
    });
  });

  afterAll(async () => {
    await Promise.all(repos.map((r) => r.cleanup()));
  });

  it('duplicates nothing when every step runs twice', async () => {
    await retried.commit('feat: something new');
    const { preflight, plan, files } = await stepsUpToTag('retried');
    await acts.writeReleaseFiles(files);
    expect((await acts.writeReleaseFiles(files)).written).not.toContain('CHANGELOG.md');
    const first = await acts.commitRelease(files);
    await acts.writeReleaseFiles(files);
    const second = await acts.commitRelease(files);
    expect(second.releaseCommit).toBe(first.releaseCommit);
    const tag = {
      repoId: 'retried',
      tag: plan.tag!,
      releaseCommit: first.releaseCommit,
      message: plan.changelogEntry!,
    };
    expect(await acts.tagRelease(tag)).toEqual({ created: true });
    expect(await acts.tagRelease(tag)).toEqual({ created: false });
    const push = {
      repoId: 'retried',
      tag: plan.tag!,
      releaseCommit: first.releaseCommit,
      sourceSha: preflight.sha,
      expectedRemoteSha: preflight.remoteSha,
    };
    expect(await acts.pushRelease(push)).toEqual({ pushed: true });
    expect(await acts.pushRelease(push)).toEqual({ pushed: false });

    expect(await retried.git('rev-list', '--count', `${preflight.sha}..HEAD`)).toBe('1');
    expect(await retried.git('tag', '--list')).toBe('v1.0.0');
    const changelog = await readFile(path.join(retried.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog.match(/^## 1\.0\.0/gm)).toHaveLength(1);
    const remote = await retried.git('ls-remote', 'origin');
    expect(remote).toContain(`${first.releaseCommit}\trefs/heads/main`);
    expect(remote).toContain('refs/tags/v1.0.0');
    // The push itself moved the remote-tracking branch, which the deployment's release check reads.
    expect(await retried.git('rev-parse', 'refs/remotes/origin/main')).toBe(first.releaseCommit);
    expect(await retried.git('status', '--porcelain')).toBe('');
  });

  it('plans in pre-flight exactly as planVersion plans, from the same reads', async () => {
    await oneStep.commit('feat: planned in pre-flight');
    const releasedAt = '2026-01-02T03:04:05.000Z';
    const preflight = await acts.preflight({ repoId: 'one-step', plan: { releasedAt } });
    const plan = await acts.planVersion({ repoId: 'one-step', sha: preflight.sha, releasedAt });
    expect(preflight.plan).toEqual(plan);
    expect(preflight.plan?.tag).toBe('v1.0.0');
    expect((await acts.preflight({ repoId: 'one-step' })).plan).toBeUndefined();
  });

  it('writes, commits and tags in one step that a retry after a crash at any point finishes exactly once', async () => {
    const r = oneStep;
    const releasedAt = '2026-01-02T03:04:05.000Z';
    const preflight = await acts.preflight({ repoId: 'one-step', plan: { releasedAt } });
    const plan = preflight.plan!;
    const files = {
      repoId: 'one-step',
      sourceSha: preflight.sha,
      version: plan.version!,
      tag: plan.tag!,
      releasedAt,
      changelogEntry: plan.changelogEntry!,
      evidence: [],
    };
    // Crashed after the files were written: they are written again, once.
    await acts.writeReleaseFiles(files);
    const first = await acts.commitAndTagRelease(files);
    expect(first).toMatchObject({ committed: true, tagged: true });
    expect(first.written).not.toContain('CHANGELOG.md');
    expect(first.releaseCommit).toBe(await r.git('rev-parse', 'HEAD'));
    expect(await r.git('rev-parse', `${plan.tag!}^{commit}`)).toBe(first.releaseCommit);
    expect(await r.git('cat-file', '-t', plan.tag!)).toBe('tag');
    expect(await r.git('log', '-1', '--format=%s', 'HEAD')).toBe(`chore(release): ${plan.tag!}`);
    // The trailer by which the next plan knows its own release commit, as git reads trailers.
    expect((await r.git('log', '-1', '--format=%(trailers:key=Shipgate-Release,valueonly)', 'HEAD')).trim()).toBe(
      plan.tag!,
    );
    // Crashed after the tag: nothing more happens.
    expect(await acts.commitAndTagRelease(files)).toEqual({
      written: [],
      releaseCommit: first.releaseCommit,
      committed: false,
      tagged: false,
    });
    // Crashed after the commit, before the tag: the commit is adopted and tagged.
    await r.git('tag', '--delete', plan.tag!);
    expect(await acts.commitAndTagRelease(files)).toEqual({
      written: [],
      releaseCommit: first.releaseCommit,
      committed: false,
      tagged: true,
    });
    expect(await r.git('rev-parse', `${plan.tag!}^{commit}`)).toBe(first.releaseCommit);
    expect(await r.git('rev-list', '--count', `${preflight.sha}..HEAD`)).toBe('1');
    expect(await r.git('tag', '--list')).toBe(plan.tag!);
    const changelog = await readFile(path.join(r.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog.match(/^## 1\.0\.0/gm)).toHaveLength(1);
    expect(await r.git('status', '--porcelain')).toBe('');

    // A tag of that name elsewhere, or a HEAD that is not the release's, is refused.
    await r.git('tag', '--delete', plan.tag!);
    await r.git('tag', '-a', '-m', 'not ours', plan.tag!, preflight.sha);
    const elsewhere = await acts.commitAndTagRelease(files).catch((e: unknown) => e);
    expect(elsewhere).toBeInstanceOf(ApplicationFailure);
    expect((elsewhere as ApplicationFailure).type).toBe('SHIPGATE_TAG_EXISTS');
    await r.commit('feat: someone else committed');
    const movedOn = await acts.commitAndTagRelease(files).catch((e: unknown) => e);
    expect((movedOn as ApplicationFailure).type).toBe('SHIPGATE_HEAD_MOVED');
  });

  it('fails remote-moved, undoes the local release and leaves the remote untouched', async () => {
    await moved.commit('fix: a fix');
    const { preflight, plan, files } = await stepsUpToTag('moved');

    const other = await createTestRepo({});
    repos.push(other);
    await other.git('fetch', '-q', moved.remote, 'main');
    await other.git('reset', '-q', '--hard', 'FETCH_HEAD');
    const intruder = await other.commit('feat: pushed by someone else');
    await other.git('push', '-q', moved.remote, 'HEAD:main');

    await acts.writeReleaseFiles(files);
    const { releaseCommit } = await acts.commitRelease(files);
    await acts.tagRelease({ repoId: 'moved', tag: plan.tag!, releaseCommit, message: plan.changelogEntry! });
    const error = await acts
      .pushRelease({
        repoId: 'moved',
        tag: plan.tag!,
        releaseCommit,
        sourceSha: preflight.sha,
        expectedRemoteSha: preflight.remoteSha,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('SHIPGATE_REMOTE_MOVED');
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as Error).message).toContain(
      `moved from ${preflight.remoteSha!.slice(0, 7)} to ${intruder.slice(0, 7)}`,
    );

    expect(await moved.head()).toBe(preflight.sha);
    expect(await moved.git('tag', '--list')).toBe('');
    expect(await moved.git('status', '--porcelain')).toBe('');
    const remote = await moved.git('ls-remote', 'origin');
    expect(remote).toContain(`${intruder}\trefs/heads/main`);
    expect(remote).not.toContain('refs/tags/');
  });

  it('undoes a release whose tag step failed: no release commit, no release files, the reports kept', async () => {
    const r = undone;
    const source = await r.commit('fix: a fix');
    await r.write('context/test-pass-20260102-030405.md', 'a report\n');
    const { plan, files } = await stepsUpToTag('undone');
    const withReport = { ...files, evidence: ['test-pass-20260102-030405.md'] };
    await acts.writeReleaseFiles(withReport);
    const { releaseCommit } = await acts.commitRelease(withReport);
    // Someone else's tag of the same name, made after the plan was checked.
    await r.git('tag', '-a', '-m', 'not ours', plan.tag!, source);
    const error = await acts
      .tagRelease({ repoId: 'undone', tag: plan.tag!, releaseCommit, message: plan.changelogEntry! })
      .catch((e: unknown) => e);
    expect((error as ApplicationFailure).type).toBe('SHIPGATE_TAG_EXISTS');

    expect(await acts.undoRelease({ repoId: 'undone', tag: plan.tag!, sourceSha: source })).toMatchObject({
      undone: true,
    });
    expect(await r.head()).toBe(source);
    expect(
      await r.git('rev-parse', `${plan.tag!}^{commit}`),
      "a tag that is not the release commit's is not ours to delete",
    ).toBe(source);
    expect(await r.git('status', '--porcelain', '--untracked-files=all')).toBe(
      '?? context/test-pass-20260102-030405.md',
    );
    expect(await readFile(path.join(r.dir, 'context/test-pass-20260102-030405.md'), 'utf8')).toBe('a report\n');
    expect(
      await acts.undoRelease({ repoId: 'undone', tag: plan.tag!, sourceSha: source }),
      'twice is once',
    ).toMatchObject({ undone: true });
    expect(await r.head()).toBe(source);
    await r.git('tag', '--delete', plan.tag!);
  });

  it('undoes release files written before the commit step failed', async () => {
    const r = undone;
    const { preflight, files } = await stepsUpToTag('undone');
    await acts.writeReleaseFiles(files);
    expect(await r.git('status', '--porcelain', '--untracked-files=all', '--', '.', ':!context/*.md')).not.toBe('');
    await acts.undoRelease({ repoId: 'undone', tag: files.tag, sourceSha: preflight.sha });
    expect(await r.git('status', '--porcelain', '--untracked-files=all', '--', '.', ':!context/*.md')).toBe('');
  });

  it("leaves a HEAD that moved to someone else's commit, and a release the remote already has, as they are", async () => {
    const r = undone;
    const { preflight, plan, files } = await stepsUpToTag('undone');
    const theirs = await r.commit('feat: committed during the release');
    expect(await acts.undoRelease({ repoId: 'undone', tag: plan.tag!, sourceSha: preflight.sha })).toMatchObject({
      undone: false,
    });
    expect(await r.head()).toBe(theirs);
    await r.git('reset', '-q', '--hard', preflight.sha);

    await acts.writeReleaseFiles(files);
    const { releaseCommit } = await acts.commitRelease(files);
    await acts.tagRelease({ repoId: 'undone', tag: plan.tag!, releaseCommit, message: plan.changelogEntry! });
    await acts.pushRelease({
      repoId: 'undone',
      tag: plan.tag!,
      releaseCommit,
      sourceSha: preflight.sha,
      expectedRemoteSha: preflight.remoteSha,
    });
    expect(await acts.undoRelease({ repoId: 'undone', tag: plan.tag!, sourceSha: preflight.sha })).toMatchObject({
      undone: false,
    });
    expect(await r.head()).toBe(releaseCommit);
    expect(await r.git('tag', '--list', plan.tag!)).toBe(plan.tag!);
  });
});
