import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQaReport } from '../../../context/report.js';
import type { ApiToken } from '../../../config/types.js';
import { buildApp } from '../../../api/app.js';
import { finished, pollUntil, type TestApp } from '../../helpers/api.js';
import { endEnvironments, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

// Fresh IDs per run: environments are long-lived workflows, and an earlier run's would hold a fixed ID.
const repoId = `people-${randomBytes(3).toString('hex')}`;

/** One token per person, as `api.tokens` holds them: only the hash is configured. */
const people = {
  vera: { role: 'viewer', token: randomBytes(32).toString('base64url') },
  rob: { role: 'releaser', token: randomBytes(32).toString('base64url') },
  ada: { role: 'admin', token: randomBytes(32).toString('base64url') },
} as const;
type Person = keyof typeof people;

const tokens: ApiToken[] = Object.entries(people).map(([name, { role, token }]) => ({
  name,
  role,
  sha256: createHash('sha256').update(token).digest('hex'),
  authors: [],
}));

describe('people: tokens with names and roles', () => {
  let worker: TestWorker;
  let app: TestApp;
  let envs: TwoEnvironments;
  const workerLog: { msg?: string; activity?: string; workflowId?: string; by?: string }[] = [];

  const as = (who: Person) => ({ authorization: `Bearer ${people[who].token}` });
  const get = (who: Person, url: string) => app.inject({ method: 'GET', url, headers: as(who) });
  const post = (who: Person, url: string, payload?: object) =>
    app.inject({ method: 'POST', url, headers: as(who), ...(payload ? { payload } : {}) });
  const until = (url: string, done: (body: any) => boolean = finished) =>
    pollUntil(async (): Promise<any> => (await get('vera', url)).json(), done);

  beforeAll(async () => {
    envs = await twoEnvironments(repoId, { autoPromote: false, soak: '1s' });
    // The worker's own log lines, as JSON, to see who they name.
    const logger = pino({ level: 'info' }, { write: (line: string) => void workerLog.push(JSON.parse(line)) });
    worker = await startTestWorker(await testConfig([envs.settings]), { logger });
    // Tokens per person only: no single shared token at all, as `npm start` runs with api.tokens set.
    app = await buildApp({ config: worker.config, client: worker.client, token: null, tokens, logger: false });
  });

  afterAll(async () => {
    await app?.close();
    if (worker) await endEnvironments(worker.client, repoId);
    await worker?.stop();
    await envs?.stop();
  });

  it('tells each holder who they are', async () => {
    for (const [name, { role }] of Object.entries(people)) {
      const me = await get(name as Person, '/whoami');
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json()).toEqual({ name, role, shared: false });
    }
  });

  it('answers 401 to a token nobody holds', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/repos',
      headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('SHIPGATE_UNAUTHORIZED');
  });

  it('lets a viewer read, and refuses a start with 403 naming the roles that may', async () => {
    expect((await get('vera', '/repos')).statusCode).toBe(200);
    const refused = await post('vera', `/repos/${repoId}/qa`);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json()).toMatchObject({ statusCode: 403, code: 'SHIPGATE_ROLE_REQUIRED' });
    expect(refused.json().message).toBe(
      'vera is viewer, which may not start or decide on runs: that needs releaser or admin',
    );
  });

  it("records the releaser's name on the QA run: its input in the history, its state and its report", async () => {
    const started = await post('rob', `/repos/${repoId}/qa`);
    expect(started.statusCode, started.body).toBe(202);
    const { workflowId } = started.json();
    const done = await until(`/qa/${encodeURIComponent(workflowId)}`);
    expect(done.state).toMatchObject({ requestedBy: 'rob', trigger: 'manual', outcome: 'test-pass' });

    const history = await worker.client.workflow.getHandle(workflowId, done.runId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(payload!).toString('utf8'))).toMatchObject({ repoId, requestedBy: 'rob' });

    const name = done.result.report as string;
    const parsed = parseQaReport(await readFile(path.join(envs.staging.repo.dir, 'context', name), 'utf8'), name);
    expect(parsed.ok && parsed.report.frontMatter.requested_by).toBe('rob');
    expect(parsed.ok && parsed.report.body).toContain('**Requested by:** rob');
    // Every activity of the run, on the worker, logs who asked for it.
    const lines = workerLog.filter((line) => line.msg === 'activity completed' && line.workflowId === workflowId);
    expect(lines.map((line) => line.activity)).toContain('runTests');
    expect(new Set(lines.map((line) => line.by))).toEqual(new Set(['rob']));
    // The report is still one shipgate signed: the list shows it, with no warning.
    const listed = (await get('vera', `/repos/${repoId}/reports`)).json();
    expect(listed.warnings).toEqual([]);
    expect(listed.reports.map((r: { name: string }) => r.name)).toContain(name);
  });

  it('records who started a release, and who deployed a version again, in the environment ledger', async () => {
    const started = await post('rob', `/repos/${repoId}/releases`);
    expect(started.statusCode, started.body).toBe(202);
    const { workflowId, runId } = started.json();
    const done = await until(`/releases/${encodeURIComponent(workflowId)}?runId=${runId}`);
    expect(done.result?.outcome, JSON.stringify(done)).toBe('released');
    expect(done.state.requestedBy).toBe('rob');

    const again = await post('rob', `/repos/${repoId}/deployments`, { version: '1.0.0', environment: 'staging' });
    expect(again.statusCode, again.body).toBe(202);
    const staging = await until(`/repos/${repoId}/environments`, (body) =>
      body.environments.some(
        (env: any) => env.name === 'staging' && env.ledger[0]?.requestId === again.json().requestId,
      ),
    );
    expect(staging.environments[0].ledger[0]).toMatchObject({ kind: 'manual', requestedBy: 'rob' });
  });

  it('records who decided on a failed deployment, in its state and its deploy report', async () => {
    await envs.production.fault('fail-deploy');
    const again = await post('rob', `/repos/${repoId}/deployments`, { version: '1.0.0', environment: 'production' });
    expect(again.statusCode, again.body).toBe(202);
    const deployment = `/deployments/${encodeURIComponent(`deploy:${repoId}:production`)}`;
    await pollUntil(
      async (): Promise<any> => (await get('vera', deployment)).json(),
      (run) => run.status === 'RUNNING' && run.state?.awaitingDecision === true,
      20_000,
    );
    await envs.production.clearFault('fail-deploy');
    const decided = await post('rob', `${deployment}/abandon`);
    expect(decided.statusCode, decided.body).toBe(200);
    const done = await until(deployment);
    expect(done.state.decisions).toEqual([{ decision: 'abandon', at: expect.any(String), by: 'rob' }]);
    const report = await readFile(path.join(envs.staging.repo.dir, 'context', done.state.report), 'utf8');
    // A deployment by hand names who asked; the decision names who took it.
    expect(report).toContain('requested_by: rob');
    expect(report).toContain('**Requested by:** rob');
    expect(report).toMatch(/: abandon by rob$/m);
  });

  it('refuses a pin to a releaser and lets an admin pin, recorded under their name', async () => {
    const refused = await post('rob', `/repos/${repoId}/environments/production/pin`, { reason: 'freeze' });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().code).toBe('SHIPGATE_ROLE_REQUIRED');
    expect(refused.json().message).toBe(
      'rob is releaser, which may not pin, unpin, cancel or override: that needs admin',
    );

    const pinned = await post('ada', `/repos/${repoId}/environments/production/pin`, { reason: 'freeze' });
    expect(pinned.statusCode, pinned.body).toBe(200);
    expect(pinned.json().pinned).toMatchObject({ by: 'ada', reason: 'freeze' });
    // Naming oneself is fine; it is the same name.
    const unpinned = await post('ada', `/repos/${repoId}/environments/production/unpin`, {
      reason: 'over',
      by: 'ada',
    });
    expect(unpinned.statusCode, unpinned.body).toBe(200);
    expect(unpinned.json().pinHistory.at(-1)).toMatchObject({ by: 'ada', reason: 'freeze' });
  });

  it("refuses a body's by that names someone else than the token's holder", async () => {
    const pin = await post('ada', `/repos/${repoId}/environments/production/pin`, { reason: 'x', by: 'rob' });
    expect(pin.statusCode, pin.body).toBe(400);
    expect(pin.json()).toMatchObject({
      code: 'SHIPGATE_BAD_REQUEST',
      message: "by names someone else: the token is ada's",
    });
    const promote = await post('rob', `/repos/${repoId}/environments/production/promotions`, {
      version: '1.0.0',
      by: 'ada',
    });
    expect(promote.statusCode, promote.body).toBe(400);
    expect(promote.json().message).toBe("by names someone else: the token is rob's");
    const view = (await get('vera', `/repos/${repoId}/environments`)).json();
    expect(view.environments.find((e: any) => e.name === 'production').pinned).toBeNull();
  });
});
