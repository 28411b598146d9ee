import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../api/app.js';
import type { ApiToken } from '../../../config/types.js';
import { authedRequests, TEST_TOKEN, type TestApp } from '../../helpers/api.js';
import { endEnvironments, twoEnvironments, type TwoEnvironments } from '../../helpers/promotion.js';
import { startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const run = randomBytes(3).toString('hex');
const id = `apprapi-${run}`;

/** A token per person: each its own bearer header, and the configuration's hash line. */
function holder(name: string, role: ApiToken['role']) {
  const token = randomBytes(24).toString('base64url');
  const sha256 = createHash('sha256').update(token).digest('hex');
  return { token: { name, role, sha256, authors: [] } satisfies ApiToken, auth: { authorization: `Bearer ${token}` } };
}

describe('approvals over HTTP', () => {
  let worker: TestWorker;
  let app: TestApp;
  let envs: TwoEnvironments;
  const anna = holder('anna', 'approver');
  const bea = holder('bea', 'approver');
  const rex = holder('rex', 'releaser');
  const admin = authedRequests(() => app);
  const as = (who: { auth: Record<string, string> }, url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: who.auth, payload });

  beforeAll(async () => {
    envs = await twoEnvironments(id, {
      soak: '1s',
      productionApproval: { required: 2, from: ['approver', 'admin'], notAuthor: true, expires: '10m' },
    });
    worker = await startTestWorker(await testConfig([envs.settings]));
    app = await buildApp({
      config: worker.config,
      client: worker.client,
      token: TEST_TOKEN,
      tokens: [anna.token, bea.token, rex.token],
      logger: false,
    });
  });

  afterAll(async () => {
    await app?.close();
    if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await envs?.stop();
  });

  it('counts an approver, refuses a releaser and a second approval, shows the page, and promotes on the second approver', async () => {
    const approvals = `/repos/${id}/environments/production/approvals`;
    const none = await as(anna, approvals, { version: '1.0.0' });
    expect(none.statusCode, none.body).toBe(404);
    expect(none.json().code).toBe('SHIPGATE_RUN_NOT_FOUND');

    const started = await admin.post(`/repos/${id}/releases`);
    expect(started.statusCode, started.body).toBe(202);
    const page = `${approvals}/1.0.0`;
    const waiting = await admin.until(page, (body) => body.step?.status === 'awaiting approval');
    expect(waiting).toMatchObject({
      repoId: id,
      environment: 'production',
      version: '1.0.0',
      tag: 'v1.0.0',
      workflowId: `promotion:${id}:1.0.0`,
      promotion: { status: 'RUNNING' },
      approval: { required: 2, from: ['approver', 'admin'], approvals: [] },
      mayStillApprove: ['approver', 'admin'],
    });
    expect(waiting.changelogEntry).toMatch(/^## \[?1\.0\.0/);
    expect(waiting.diff).toMatchObject({ from: null, to: 'v1.0.0' });
    expect(waiting.diff.commits).toBeGreaterThanOrEqual(2);
    expect(waiting.diff.files.map((f: { path: string }) => f.path)).toContain('CHANGELOG.md');
    expect(waiting.diff.insertions).toBeGreaterThan(0);
    expect(waiting.qaReport?.outcome, JSON.stringify(waiting.warnings)).toBe('test-pass');
    expect(waiting.qaReport?.text).toContain('test-pass');

    // The admin started the release through the API: its name is who started it, so it may not approve it.
    const starter = await admin.post(approvals, { version: '1.0.0' });
    expect(starter.statusCode, starter.body).toBe(403);
    expect(starter.json()).toMatchObject({
      code: 'SHIPGATE_APPROVAL_REFUSED',
      message: 'admin started the release of 1.0.0 and may not approve it into production: separation of duties',
    });

    const releaser = await as(rex, approvals, { version: '1.0.0' });
    expect(releaser.statusCode, releaser.body).toBe(403);
    expect(releaser.json().code).toBe('SHIPGATE_ROLE_REQUIRED');

    const first = await as(anna, approvals, { version: '1.0.0', reason: 'read the QA report' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      environment: 'production',
      version: '1.0.0',
      status: 'awaiting approval',
      approval: { approvals: [{ by: 'anna', role: 'approver', reason: 'read the QA report', via: 'api' }] },
    });
    const again = await as(anna, approvals, { version: 'v1.0.0' });
    expect(again.statusCode, again.body).toBe(403);
    expect(again.json()).toMatchObject({
      code: 'SHIPGATE_APPROVAL_REFUSED',
      message: 'anna already approved 1.0.0 into production: approvals must come from 2 different people',
    });
    const unexplained = await as(bea, `/repos/${id}/environments/production/denials`, { version: '1.0.0' });
    expect(unexplained.statusCode, unexplained.body).toBe(400);
    const notAdmin = await as(bea, `/repos/${id}/environments/production/overrides`, {
      version: '1.0.0',
      gate: 'approval',
      reason: 'in a hurry',
    });
    expect(notAdmin.statusCode, notAdmin.body).toBe(403);
    expect(notAdmin.json().code).toBe('SHIPGATE_ROLE_REQUIRED');
    const notFrozen = await admin.post(`/repos/${id}/environments/production/overrides`, {
      version: '1.0.0',
      gate: 'freeze',
      reason: 'nothing to pass',
    });
    expect(notFrozen.statusCode, notFrozen.body).toBe(409);
    expect(notFrozen.json().code).toBe('SHIPGATE_NOT_FROZEN');

    const second = await as(bea, approvals, { version: '1.0.0' });
    expect(second.statusCode, second.body).toBe(200);
    const done = await admin.until(page, (body) => body.promotion.status !== 'RUNNING');
    expect(done.promotion).toMatchObject({ status: 'COMPLETED', outcome: 'promoted' });
    expect(done.step.status).toBe('deployed');
    expect(done.approval.approvals.map((a: { by: string }) => a.by)).toEqual(['anna', 'bea']);
    expect(await envs.production.servingVersion()).toBe('1.0.0');

    const late = await as(anna, approvals, { version: '1.0.0' });
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json()).toMatchObject({ code: 'SHIPGATE_NOT_AWAITING_APPROVAL' });
    expect(late.json().message).toContain('has ended promoted');
  });
});
