import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config/load.js';
import { parseQaReport } from '../../../context/report.js';
import { authedRequests, buildTestApp, finished, pollUntil, type TestApp } from '../../helpers/api.js';
import { createTestRepo, releaseTexts, type TestRepo } from '../../helpers/git-repo.js';
import { SAMPLE_FILES, sampleRepoSettings } from '../../helpers/sample-project.js';
import { createSampleService, type SampleService } from '../../helpers/sample-service.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

/**
 * Repositories and commands that misbehave on purpose: hostile commit text, option-like refs,
 * floods of output, processes that ignore SIGTERM, junk in context/, a working copy that
 * vanishes mid-run. Every run must end, with a reason a person can read, and leave nothing behind.
 */

const suffix = randomBytes(4).toString('hex');
const ids = {
  markup: `hr-markup-${suffix}`,
  options: `hr-options-${suffix}`,
  flood: `hr-flood-${suffix}`,
  stubbornQa: `hr-stubborn-qa-${suffix}`,
  stubbornDeploy: `hr-stubborn-deploy-${suffix}`,
  lingering: `hr-lingering-${suffix}`,
  junk: `hr-junk-${suffix}`,
  vanish: `hr-vanish-${suffix}`,
};

/** What a command substitution or backticks in a commit message would create, were they ever run. */
const CANARY = path.join(os.tmpdir(), `shipgate-canary-${suffix}`);
// CommonMark with raw HTML on, as GitHub and GitLab render files; and the tokens an entry may make (no link: the remote is a file:// one).
const markdown = new MarkdownIt('commonmark').enable('strikethrough');
const RENDERED = new Set(
  ['heading', 'bullet_list', 'list_item', 'paragraph', 'strong']
    .flatMap((t) => [`${t}_open`, `${t}_close`])
    .concat(['inline', 'text', 'code_inline']),
);
const HOSTILE_SUBJECT = `feat: <script>alert(1)</script> $(touch ${CANARY}) \`touch ${CANARY}\` | [x](javascript:alert(1))`;

/** 50 MB of 2,000-character lines, then one line of 1 MiB, then a last word; a little on stderr first. */
const FLOOD = `
process.stderr.write('flood: starting\\n');
const chunk = ('x'.repeat(1999) + '\\n').repeat(512);
let written = 0;
(function pump() {
  while (written < 50) {
    written += 1;
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', pump);
  }
  process.stdout.write('y'.repeat(1 << 20) + '\\nflood: done\\n');
})();
`;

/** Ignores SIGTERM, and so does the child it starts; both PIDs go to $STUBBORN_PIDS. */
const STUBBORN = `
const child = require('node:child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
process.on('SIGTERM', () => console.log('stubborn: SIGTERM ignored'));
require('node:fs').writeFileSync(process.env.STUBBORN_PIDS, process.pid + ' ' + child.pid);
console.log('stubborn: running');
setInterval(() => {}, 1000);
`;

/** Passes after half a second, leaving behind a child that ignores SIGTERM and holds stdout; its PID goes to $LINGERING_PID. */
const LINGERING = `sh -c 'trap "" TERM; exec sleep 300' & echo $! > "$LINGERING_PID"; echo 'lingering: tests passed'; sleep 0.5; exit 0`;

/** True while the process exists and is not a zombie waiting to be reaped. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const procStat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return procStat !== '' && procStat.slice(procStat.lastIndexOf(')') + 2)[0] !== 'Z';
}

async function stubbornPids(file: string): Promise<number[]> {
  const pids = (await readFile(file, 'utf8')).trim().split(' ').map(Number);
  expect(pids).toHaveLength(2);
  return pids;
}

/** Bounded: SIGKILL is immediate, so a few seconds is plenty for the kernel to finish. */
async function expectAllGone(pids: number[]): Promise<void> {
  await pollUntil(
    async () => (await Promise.all(pids.map(isRunning))).filter(Boolean).length,
    (alive) => alive === 0,
    5_000,
  );
}

describe('hostile repositories', () => {
  const repos: Record<string, TestRepo> = {};
  const services: Record<string, SampleService> = {};
  let worker: TestWorker;
  let app: TestApp;
  let scratch: string;
  const recordedPids: number[] = [];

  const { get, post, until: untilDone } = authedRequests(() => app);
  /** An API answer, read the way a client reads it. */
  type Json = ReturnType<typeof JSON.parse>;
  const until = (url: string, done: (body: Json) => boolean, timeoutMs = 150_000) => untilDone(url, done, timeoutMs);

  async function startRelease(repoId: string, payload: object = { deploy: false }): Promise<string> {
    const started = await post(`/repos/${repoId}/releases`, payload);
    expect(started.statusCode, started.body).toBe(202);
    return `/releases/${encodeURIComponent(started.json<{ workflowId: string }>().workflowId)}`;
  }

  async function release(repoId: string): Promise<Json> {
    return until(await startRelease(repoId), finished);
  }

  async function qa(repoId: string): Promise<Json> {
    const started = await post(`/repos/${repoId}/qa`);
    expect(started.statusCode, started.body).toBe(202);
    return until(`/qa/${encodeURIComponent(started.json<{ workflowId: string }>().workflowId)}`, finished);
  }

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'shipgate-hostile-'));
    for (const key of ['markup', 'options', 'flood', 'stubbornQa', 'junk', 'lingering'] as const)
      repos[key] = await createTestRepo(SAMPLE_FILES);
    const stubbornEnv = (name: string) => ({ STUBBORN_PIDS: path.join(scratch, `${name}.pids`) });
    services.stubbornDeploy = await createSampleService(ids.stubbornDeploy, (s) => {
      s.deploy = {
        ...s.deploy!,
        command: [process.execPath, '-e', STUBBORN],
        timeout: '2s',
        retries: 0,
        env: { ...s.deploy!.env, ...stubbornEnv('deploy') },
      };
    });
    services.vanish = await createSampleService(ids.vanish, (s) => {
      s.health = { ...s.health!, deadline: '3s', failureBudget: 1 };
    });
    worker = await startTestWorker(
      await testConfig([
        sampleRepoSettings(ids.markup, repos.markup!.dir),
        sampleRepoSettings(ids.options, repos.options!.dir),
        { id: ids.flood, path: repos.flood!.dir, test: { command: [process.execPath, '-e', FLOOD], timeout: '2m' } },
        {
          id: ids.stubbornQa,
          path: repos.stubbornQa!.dir,
          test: { command: [process.execPath, '-e', STUBBORN], timeout: '2s', env: stubbornEnv('qa') },
        },
        sampleRepoSettings(ids.junk, repos.junk!.dir),
        {
          id: ids.lingering,
          path: repos.lingering!.dir,
          test: {
            command: ['sh', '-c', LINGERING],
            timeout: '20s',
            env: { LINGERING_PID: path.join(scratch, 'lingering.pid') },
          },
        },
        services.stubbornDeploy.settings,
        services.vanish.settings,
      ]),
    );
    app = await buildTestApp(worker.config, worker.client);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    for (const pid of recordedPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    await Promise.all([
      ...Object.values(repos).map((r) => r.cleanup()),
      ...Object.values(services).map((s) => s.stop()),
    ]);
    await rm(scratch, { recursive: true, force: true });
    if (worker) await rm(worker.config.dataDir, { recursive: true, force: true });
    await rm(CANARY, { force: true });
  });

  it('releases commits full of shell, Markdown and HTML, and writes them only escaped', async () => {
    const repo = repos.markup!;
    await repo.commit(HOSTILE_SUBJECT);
    await repo.commit(
      'fix(<b>scope</b>): <img src=x onerror=alert(1)> <a href="javascript:alert(1)">click</a> & ![img](javascript:alert(2)) *not bold* | cell |',
    );
    await repo.commit(
      'feat!: drop <b>bold</b>\n\nBREAKING CHANGE: <iframe src="javascript:alert(3)"></iframe> [y](javascript:alert(4)) `$(id)`',
    );
    await repo.push();
    const run = await release(ids.markup);
    expect(run.result).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0' });

    const texts = await releaseTexts(repo, 'v1.0.0');
    for (const [where, text] of Object.entries(texts)) {
      // Stored as written but for a backslash before each `<` that could open a tag, and each `[`.
      expect(text, where).toContain('\\<script>alert(1)\\</script>');
      expect(text, where).toContain('\\<iframe src="javascript:alert(3)">');
      expect(text, where).toContain(`$(touch ${CANARY})`);
      expect(text, where).not.toMatch(/(?<!\\)<(script|img|a|b|iframe)\b/i);
      // A live link is `](javascript:` with an unescaped bracket; escaped, it is just text.
      expect(text, where).not.toMatch(/(?<!\\)\]\((javascript|data):/i);
      expect(text, where).toContain('\\[x\\](javascript:alert(1))');
      // Code spans are kept as code.
      expect(text, where).toContain(`\`touch ${CANARY}\``);
      expect(text, where).toContain('`$(id)`');
      // What a CommonMark renderer makes of it: the entry's list, headings, bold scopes and code, and nothing else.
      const made = new Set(
        markdown.parse(text, {}).flatMap((token) => [token.type, ...(token.children ?? []).map((child) => child.type)]),
      );
      expect(
        [...made].filter((type) => !RENDERED.has(type)),
        where,
      ).toEqual([]);
    }
    const changelog = texts['CHANGELOG.md'];
    expect(texts['the tag message'].trim()).toBe(changelog.slice(changelog.indexOf('## 1.0.0')).trim());
    expect(existsSync(CANARY)).toBe(false);
    expect(await repo.git('ls-remote', 'origin', 'refs/tags/v1.0.0')).toMatch(/refs\/tags\/v1\.0\.0$/);
  });

  it('refuses a release branch or remote that looks like an option, naming the field', () => {
    const config = (line: string) =>
      `repositories:\n  - id: opt\n    path: /tmp\n    ${line}\n    test: { command: ['true'] }\n`;
    for (const [line, field] of [
      ["branch: '-x'", 'branch'],
      ["branch: '--upload-pack=touch /tmp/x'", 'branch'],
      ["remote: '-x'", 'remote'],
      ["remote: '--receive-pack=touch /tmp/x'", 'remote'],
    ]) {
      const parse = () => parseConfig(config(line as string), { file: null, cwd: os.tmpdir(), env: {} });
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(new RegExp(`repositories\\[0\\]\\.${field} must match pattern`));
    }
  });

  it('ignores tags and branches named like options, and releases past them', async () => {
    const repo = repos.options!;
    const base = await repo.head();
    const bogus = [
      'refs/tags/--force',
      'refs/tags/-d',
      'refs/tags/v--force',
      'refs/tags/--upload-pack=x',
      'refs/heads/-x',
    ];
    for (const ref of bogus) await repo.git('update-ref', ref, base);
    await repo.git('push', '--quiet', 'origin', ...bogus.map((ref) => `${ref}:${ref}`));
    await repo.commit('feat: ship past the odd refs');
    await repo.push();

    const plan = await get(`/repos/${ids.options}/plan`);
    expect(plan.statusCode, plan.body).toBe(200);
    expect(plan.json()).toMatchObject({ previous: null, version: '1.0.0', tag: 'v1.0.0' });

    const run = await release(ids.options);
    expect(run.result).toMatchObject({ outcome: 'released', version: '1.0.0', tag: 'v1.0.0' });
    const remote = await repo.git('ls-remote', 'origin');
    for (const ref of bogus) {
      expect(await repo.git('rev-parse', '--verify', '--end-of-options', ref)).toBe(base);
      expect(remote).toContain(`${base}\t${ref}`);
    }
    expect(remote).toMatch(/\trefs\/tags\/v1\.0\.0\n/);
    expect(await repo.git('tag', '--list', 'v1*')).toBe('v1.0.0');
  });

  it('keeps a test run that prints 50 MB to a bounded report, and the worker carries on', async () => {
    const run = await qa(ids.flood);
    expect(run).toMatchObject({ status: 'COMPLETED', result: { outcome: 'test-pass' } });
    expect(run.state.lastOutput.length).toBeLessThanOrEqual(60);
    for (const line of run.state.lastOutput as string[]) expect(line.length).toBeLessThanOrEqual(1_001);
    expect(run.state.lastOutput.at(-1)).toBe('flood: done');
    expect(run.state.lastOutput.at(-2)).toBe(`${'y'.repeat(1_000)}…`);

    const reportFile = path.join(repos.flood!.dir, 'context', run.result.report as string);
    expect((await stat(reportFile)).size).toBeLessThan(100_000);
    expect(await readFile(reportFile, 'utf8')).toContain('flood: done');
    const logDir = path.join(worker.config.dataDir, 'logs', ids.flood);
    const [log] = await readdir(logDir);
    expect((await stat(path.join(logDir, log!))).size).toBeGreaterThan(50_000_000);

    const again = await qa(ids.flood);
    expect(again).toMatchObject({ status: 'COMPLETED', result: { outcome: 'test-pass', reused: true } });
    expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('kills a test command that ignores SIGTERM, and its child, at the timeout', async () => {
    const started = Date.now();
    const run = await qa(ids.stubbornQa);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run).toMatchObject({ status: 'COMPLETED', result: { outcome: 'test-failures' } });
    const text = await readFile(path.join(repos.stubbornQa!.dir, 'context', run.result.report as string), 'utf8');
    const parsed = parseQaReport(text, run.result.report as string);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.report.frontMatter.timed_out).toBe(true);
    expect(text).toMatch(/timed out after 2\.0s/);
    expect(text).toContain('stubborn: SIGTERM ignored');
    const pids = await stubbornPids(path.join(scratch, 'qa.pids'));
    recordedPids.push(...pids);
    await expectAllGone(pids);
  });

  it('keeps the pass of a test command that exits leaving a child on stdout, and ends that child', async () => {
    const run = await qa(ids.lingering);
    expect(run).toMatchObject({ status: 'COMPLETED', result: { outcome: 'test-pass' } });
    const text = await readFile(path.join(repos.lingering!.dir, 'context', run.result.report as string), 'utf8');
    const parsed = parseQaReport(text, run.result.report as string);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.report.frontMatter.timed_out).toBe(false);
    expect(text).toContain('lingering: tests passed');
    const pid = Number((await readFile(path.join(scratch, 'lingering.pid'), 'utf8')).trim());
    recordedPids.push(pid);
    await expectAllGone([pid]);
  });

  it('kills a deploy command that ignores SIGTERM at its timeout, then waits for a decision', async () => {
    const url = await startRelease(ids.stubbornDeploy, {});
    const waiting = await until(url, (run) => run.state?.deploy?.state?.awaitingDecision === true || finished(run));
    expect(waiting.status).toBe('RUNNING');
    const deploy = waiting.state.deploy.state;
    expect(deploy.lastError).toMatch(/the deploy command timed out after 2s and was killed/);
    expect(deploy.decisionsAllowed).toEqual(['retry', 'abandon']);
    expect(deploy.lastOutput).toContain('stubborn: SIGTERM ignored');
    const pids = await stubbornPids(path.join(scratch, 'deploy.pids'));
    recordedPids.push(...pids);
    await expectAllGone(pids);

    const abandoned = await post(`${url}/abandon`);
    expect(abandoned.statusCode, abandoned.body).toBe(200);
    const done = await until(url, finished, 30_000);
    expect(done.result).toMatchObject({ outcome: 'abandoned', version: '1.0.0' });
    expect(done.result.reason).toMatch(
      /abandoned by an operator after deploying 1\.0\.0 failed: the deploy command timed out/,
    );
  });

  it('runs QA and a release beside junk in context/, and lists every skipped file as a warning', async () => {
    const repo = repos.junk!;
    const context = path.join(repo.dir, 'context');
    await repo.commit('feat: a release beside the junk');
    await repo.push();
    const head = await repo.head();
    const frontMatter = (outcome: string) =>
      [
        '---',
        `outcome: ${outcome}`,
        `repository: ${ids.junk}`,
        'branch: main',
        `commit: ${head}`,
        `tree: ${head}`,
        "created_at: '2025-01-03T00:00:00Z'",
        'test_command: [npm, test]',
        'duration_ms: 1',
        'tests: { total: 1, passed: 1, failed: 0, skipped: 0 }',
        'coverage: { changed_lines: 0, covered_lines: 0, percent: null, threshold: 80, min_changed_lines: 1, gate: skipped }',
        '---',
        '',
        'Looks right, is not.',
        '',
      ].join('\n');
    await mkdir(path.join(context, 'test-pass-20250101-000000.md'), { recursive: true });
    await writeFile(
      path.join(context, 'test-pass-20250101-000001.md'),
      Buffer.concat([Buffer.from([0, 0xff, 0xfe]), randomBytes(4096)]),
    );
    await writeFile(
      path.join(context, 'test-pass-20250102-000000.md'),
      '---\noutcome: [test-pass\ncommit: : :\n---\nbroken\n',
    );
    await writeFile(path.join(context, 'test-failures-20250103-000000.md'), frontMatter('test-pass'));
    await writeFile(
      path.join(context, 'test-pass-20250104-000000.md'),
      `${frontMatter('test-pass')}${'x'.repeat(2 * 1024 * 1024)}\n`,
    );
    await symlink('/dev/zero', path.join(context, 'test-pass-20250105-000000.md'));
    await execa('mkfifo', [path.join(context, 'test-pass-20250106-000000.md')]);
    await writeFile(path.join(context, 'test-pass-29991231-235959.md'), 'the newest name, and no front matter\n');
    await writeFile(path.join(context, 'notes.md'), '# Notes\n\nNot a report.\n');
    const expected = [
      /test-pass-20250101-000000\.md: not a regular file/,
      /test-pass-20250101-000001\.md: file looks binary/,
      /test-pass-20250102-000000\.md: invalid YAML in front matter/,
      /test-failures-20250103-000000\.md: outcome "test-pass" disagrees with the file name/,
      /test-pass-20250104-000000\.md: \d+ bytes, larger than a report can be/,
      /test-pass-20250105-000000\.md: not a regular file/,
      /test-pass-20250106-000000\.md: not a regular file/,
      /test-pass-29991231-235959\.md: no front matter/,
      /notes\.md: not a report file name/,
    ];
    const expectWarnings = (warnings: string[]) => {
      expect(warnings).toHaveLength(expected.length);
      for (const pattern of expected)
        expect(
          warnings.some((w) => pattern.test(w)),
          `${pattern} in ${warnings.join('\n')}`,
        ).toBe(true);
    };

    const listed = await get(`/repos/${ids.junk}/reports`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().reports).toEqual([]);
    expectWarnings(listed.json().warnings);

    const run = await qa(ids.junk);
    expect(run).toMatchObject({ status: 'COMPLETED', result: { outcome: 'test-pass', reused: false } });
    const released = await release(ids.junk);
    expect(released.result).toMatchObject({ outcome: 'released', version: '1.0.0', qaReport: run.result.report });
    expect(released.state.qa).toMatchObject({ reused: true, workflowId: null });
    const committed = (await repo.git('show', '--name-only', '--format=', 'HEAD')).split('\n').filter(Boolean).sort();
    expect(committed).toEqual(
      ['CHANGELOG.md', 'config/version.yml', `context/${run.result.report as string}`, 'context/release-number'].sort(),
    );

    const after = await get(`/repos/${ids.junk}/reports`);
    expect(after.statusCode).toBe(200);
    expect(after.json().reports.map((r: { name: string }) => r.name)).toEqual([run.result.report]);
    expectWarnings(after.json().warnings);
  });

  it('ends a run with a readable reason when the working copy is deleted while it awaits a decision', async () => {
    const service = services.vanish!;
    await service.fault('fail-deploy');
    const url = await startRelease(ids.vanish, {});
    const waiting = await until(url, (run) => run.state?.deploy?.state?.awaitingDecision === true || finished(run));
    expect(waiting.state.deploy.state.lastError).toMatch(/the deploy command exited with 1/);

    await rm(service.repo.dir, { recursive: true, force: true });
    const decided = await post(`${url}/retry`);
    expect(decided.statusCode, decided.body).toBe(200);
    const done = await until(url, finished, 60_000);
    expect(done.status).toBe('FAILED');
    expect(done.failure).toMatch(new RegExp(`repository "${ids.vanish}": .* does not exist`));
    const deployment = await get(`/deployments/${encodeURIComponent(`deploy:${ids.vanish}:production`)}`);
    expect(deployment.statusCode).toBe(200);
    expect(deployment.json()).toMatchObject({ status: 'FAILED' });
    expect(deployment.json().failure).toMatch(/does not exist/);

    expect((await get('/healthz')).statusCode).toBe(200);
    for (const [response, status] of [
      [await get(`/repos/${ids.vanish}/plan`), 422],
      [await post(`/repos/${ids.vanish}/qa`), 422],
      [await post(`/repos/${ids.vanish}/deployments`, { version: '1.0.0' }), 422],
      [await post(`${url}/retry`), 409],
      [await get(`/repos/${ids.vanish}/reports`), 200],
    ] as const) {
      expect(response.statusCode, response.body).toBe(status);
      if (status !== 200)
        expect(response.json().message).toMatch(/does not exist|not waiting for a decision: it is failed/);
    }
  });
});
