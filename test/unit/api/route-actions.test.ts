import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../api/app.js';
import { parseConfig } from '../../../config/load.js';

/**
 * Every route behind the token with the action a caller's role must allow. A new route, or a
 * route whose action changes, fails here until this table says so: nothing gets a role by default
 * without someone deciding it. Webhooks and /healthz are outside (webhooks carry their own HMAC).
 */
const EXPECTED: [string, string, string][] = [
  ['GET', '/repos', 'read'],
  ['GET', '/repos/:id', 'read'],
  ['GET', '/repos/:id/reports', 'read'],
  ['POST', '/repos/:id/qa', 'run'],
  ['GET', '/qa', 'read'],
  ['GET', '/repos/:id/plan', 'read'],
  ['POST', '/repos/:id/releases', 'run'],
  ['GET', '/releases', 'read'],
  ['POST', '/releases/:workflowId/:decision', 'run'],
  ['POST', '/repos/:id/deployments', 'run'],
  ['GET', '/repos/:id/deployments', 'read'],
  ['GET', '/deployments', 'read'],
  ['POST', '/deployments/:workflowId/:decision', 'run'],
  ['GET', '/repos/:id/environments', 'read'],
  ['POST', '/repos/:id/environments/:env/promotions', 'run'],
  ['POST', '/repos/:id/environments/:env/pin', 'admin'],
  ['POST', '/repos/:id/environments/:env/unpin', 'admin'],
  ['POST', '/repos/:id/environments/:env/approvals', 'approve'],
  ['POST', '/repos/:id/environments/:env/denials', 'approve'],
  ['POST', '/repos/:id/environments/:env/overrides', 'admin'],
  ['GET', '/repos/:id/environments/:env/approvals/:version', 'read'],
  ['GET', '/repos/:id/metrics', 'read'],
  ['GET', '/repos/:id/watch', 'read'],
  ['POST', '/repos/:id/watch/pause', 'admin'],
  ['POST', '/repos/:id/watch/resume', 'admin'],
  ['POST', '/releases/:workflowId/cancel', 'admin'],
  ['POST', '/deployments/:workflowId/cancel', 'admin'],
  ['POST', '/qa/:workflowId/cancel', 'admin'],
  ['GET', '/releases/:workflowId', 'read'],
  ['GET', '/releases/:workflowId/notifications', 'read'],
  ['GET', '/releases/:workflowId/runs', 'read'],
  ['GET', '/deployments/:workflowId', 'read'],
  ['GET', '/deployments/:workflowId/notifications', 'read'],
  ['GET', '/deployments/:workflowId/runs', 'read'],
  ['GET', '/qa/:workflowId', 'read'],
  ['GET', '/qa/:workflowId/runs', 'read'],
  ['GET', '/events', 'read'],
  ['GET', '/whoami', 'read'],
];

const key = ([method, url, action]: [string, string, string]) => `${action.padEnd(5)} ${method} ${url}`;

describe('the action of every route behind the token', () => {
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const config = parseConfig(stringify({ repositories: [] }), { file: null, cwd: '/tmp', env: {} });
  const built = buildApp({ config, client, token: 'x', logger: false });
  afterAll(async () => (await built).close());

  it('is the one this table gives it', async () => {
    const app = await built;
    await app.ready();
    const routes = app.securedRoutes.map(({ method, url, action }) => key([method, url, action])).sort();
    expect(routes).toEqual(EXPECTED.map(key).sort());
  });

  it('leaves the webhooks and the health check outside the token', async () => {
    const app = await built;
    const urls = app.securedRoutes.map((route) => route.url);
    for (const open of ['/healthz', '/hooks/github', '/hooks/gitlab']) expect(urls).not.toContain(open);
  });
});
