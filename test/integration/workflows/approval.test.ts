import { randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminOverrideSignal,
  approveUpdate,
  denyUpdate,
  type ApprovalRequest,
  type PromotionResult,
} from '../../../vocabulary/environments.js';
import type { Identity } from '../../../vocabulary/identity.js';
import {
  endEnvironments,
  environmentState,
  promotionUntil,
  twoEnvironments,
  type TwoEnvironments,
} from '../../helpers/promotion.js';
import { runRelease, startTestWorker, testConfig, type TestWorker } from '../../helpers/temporal.js';

const run = randomBytes(3).toString('hex');
const IDS = {
  approved: `appr-ok-${run}`,
  denied: `appr-denied-${run}`,
  expired: `appr-expired-${run}`,
  overridden: `appr-override-${run}`,
};
const repos = new Map<string, TwoEnvironments>();
let worker: TestWorker;

const person = (name: string, role: Identity['role'], authors: string[] = []): Identity => ({ name, role, authors });
const alice = person('alice', 'approver');
const bob = person('bob', 'approver');

/** A release started by `rita`, handed over to its promotion, which then waits for approvals into production. */
async function awaitingApproval(id: string) {
  const { result } = await runRelease(worker, { repoId: id, requestedBy: 'rita' });
  expect(result.outcome, result.reason).toBe('released');
  const promotion = worker.client.workflow.getHandle<() => Promise<PromotionResult>>(`promotion:${id}:1.0.0`);
  const state = await promotionUntil(
    worker.client,
    promotion.workflowId,
    (s) => s.steps.find((step) => step.environment === 'production')?.status === 'awaiting approval',
  );
  return { promotion, state };
}

type Promotion = Awaited<ReturnType<typeof awaitingApproval>>['promotion'];

/** The validator's refusal of an update: its catalogue code and message. */
async function refusal(call: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type ?? undefined, message: (cause as ApplicationFailure).message };
}

function approve(promotion: Promotion, by: Identity, reason: string | null = null) {
  const request: ApprovalRequest = { environment: 'production', by, reason };
  return promotion.executeUpdate(approveUpdate, { args: [request] });
}

async function acceptedUpdates(promotion: Promotion): Promise<number> {
  const events = (await promotion.fetchHistory()).events ?? [];
  return events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('approvals of a promotion into production', () => {
  beforeAll(async () => {
    const approval = { required: 2, from: ['approver', 'admin'], notAuthor: true, expires: '10m' };
    repos.set(IDS.approved, await twoEnvironments(IDS.approved, { productionApproval: approval }));
    repos.set(IDS.denied, await twoEnvironments(IDS.denied, { productionApproval: approval }));
    repos.set(IDS.expired, await twoEnvironments(IDS.expired, { productionApproval: { ...approval, expires: '3s' } }));
    repos.set(IDS.overridden, await twoEnvironments(IDS.overridden, { productionApproval: approval }));
    worker = await startTestWorker(await testConfig([...repos.values()].map((r) => r.settings)));
  });

  afterAll(async () => {
    for (const id of repos.keys()) if (worker) await endEnvironments(worker.client, id);
    await worker?.stop();
    await Promise.all([...repos.values()].map((r) => r.stop()));
  });

  it('refuses the starter, an author, a name not allowed and a second approval by the same person; two approvals promote', async () => {
    const id = IDS.approved;
    const { promotion, state } = await awaitingApproval(id);
    const waiting = state.steps.find((s) => s.environment === 'production')!;
    expect(waiting.reason).toMatch(/^needs 2 approvals from approver, admin; 0 so far; expires at /);
    expect(waiting.approval).toMatchObject({
      required: 2,
      from: ['approver', 'admin'],
      notAuthor: true,
      approvals: [],
    });
    expect(await repos.get(id)!.production.servingVersion()).toBeNull();

    // Separation of duties: whoever started the release may not approve it, even as an admin.
    expect(await refusal(approve(promotion, person('rita', 'admin')))).toEqual({
      type: 'SHIPGATE_APPROVAL_REFUSED',
      message: 'rita started the release of 1.0.0 and may not approve it into production: separation of duties',
    });
    // The sample's commits are by "shipgate sample <sample@localhost>": its emails match whatever the case.
    const author = await refusal(approve(promotion, person('sam', 'approver', ['SAMPLE@localhost'])));
    expect(author.type).toBe('SHIPGATE_APPROVAL_REFUSED');
    expect(author.message).toContain('sam authored a commit of the release of 1.0.0');
    expect(await refusal(approve(promotion, person('vic', 'releaser')))).toEqual({
      type: 'SHIPGATE_APPROVAL_REFUSED',
      message: 'vic (releaser) may not approve 1.0.0 into production: only approver, admin may',
    });
    // Whatever JSON is sent (the Temporal UI sends anything) is refused, not a crash.
    const malformed = await refusal(
      promotion.executeUpdate(approveUpdate, { args: [{ environment: 'production' } as unknown as ApprovalRequest] }),
    );
    expect(malformed.type).toBe('SHIPGATE_BAD_REQUEST');
    const unknown = await refusal(
      promotion.executeUpdate(approveUpdate, { args: [{ environment: 'qa', by: alice, reason: null }] }),
    );
    expect(unknown.type).toBe('SHIPGATE_UNKNOWN_ENVIRONMENT');
    // Refused in the validator: nothing of them is in the history.
    expect(await acceptedUpdates(promotion)).toBe(0);

    const first = await approve(promotion, alice, 'QA report looks good');
    expect(first.steps.find((s) => s.environment === 'production')?.reason).toMatch(
      /^needs 2 approvals from approver, admin; 1 so far \(alice\); expires at /,
    );
    const twice = await refusal(approve(promotion, alice));
    expect(twice).toEqual({
      type: 'SHIPGATE_APPROVAL_REFUSED',
      message: 'alice already approved 1.0.0 into production: approvals must come from 2 different people',
    });
    await approve(promotion, bob);
    expect(await acceptedUpdates(promotion)).toBe(2);

    const result = await promotion.result();
    expect(result, result.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    expect(await repos.get(id)!.production.servingVersion()).toBe('1.0.0');
    const done = await promotionUntil(worker.client, promotion.workflowId, (s) => s.outcome !== null);
    const step = done.steps.find((s) => s.environment === 'production')!;
    expect(step.status).toBe('deployed');
    expect(step.approval?.approvals.map((a) => [a.by, a.role, a.via])).toEqual([
      ['alice', 'approver', 'api'],
      ['bob', 'approver', 'api'],
    ]);
    expect(step.approval?.approvals[0]?.reason).toBe('QA report looks good');
    const production = await environmentState(worker.client, id, 'production');
    expect(production.ledger.map((e) => [e.version, e.outcome, e.approvedBy])).toEqual([
      ['1.0.0', 'deployed', ['alice', 'bob']],
    ]);
    expect(production.ledger[0]?.firstCommitAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('ends the promotion denied, with who denied it and why', async () => {
    const id = IDS.denied;
    const { promotion } = await awaitingApproval(id);
    const unexplained = await refusal(
      promotion.executeUpdate(denyUpdate, { args: [{ environment: 'production', by: alice, reason: null }] }),
    );
    expect(unexplained.type).toBe('SHIPGATE_BAD_REQUEST');
    await approve(promotion, bob);
    await promotion.executeUpdate(denyUpdate, {
      args: [{ environment: 'production', by: alice, reason: 'the changelog hides a breaking change' }],
    });
    const result = await promotion.result();
    expect(result).toMatchObject({
      outcome: 'denied',
      reached: ['staging'],
      reason: 'alice denied 1.0.0 into production: the changelog hides a breaking change',
    });
    const state = await promotionUntil(worker.client, promotion.workflowId, (s) => s.outcome !== null);
    const step = state.steps.find((s) => s.environment === 'production')!;
    expect(step.status).toBe('denied');
    expect(step.approval?.denial).toMatchObject({ by: 'alice', reason: 'the changelog hides a breaking change' });
    expect(await repos.get(id)!.production.servingVersion()).toBeNull();
  });

  it('ends the promotion expired when the approvals do not arrive in time', async () => {
    const id = IDS.expired;
    const { promotion } = await awaitingApproval(id);
    await approve(promotion, alice);
    const result = await promotion.result();
    expect(result.outcome, result.reason).toBe('expired');
    expect(result.reason).toMatch(/^1\.0\.0 had 1 of 2 approvals into production when the wait expired at \d{4}-/);
    expect(result.reached).toEqual(['staging']);
    const state = await promotionUntil(worker.client, promotion.workflowId, (s) => s.outcome !== null);
    expect(state.outcome).toBe('expired');
    const step = state.steps.find((s) => s.environment === 'production')!;
    expect([step.status, step.reason]).toEqual(['expired', result.reason]);
    expect(await repos.get(id)!.production.servingVersion()).toBeNull();
  });

  it('passes the gate on an adminOverride signal from the Temporal UI, recorded as sent by signal', async () => {
    const id = IDS.overridden;
    const { promotion } = await awaitingApproval(id);
    await promotion.signal(adminOverrideSignal, {
      environment: 'production',
      gate: 'approval',
      by: 'oncall',
      reason: 'hotfix for an outage',
    });
    const result = await promotion.result();
    expect(result, result.reason).toMatchObject({ outcome: 'promoted', reached: ['staging', 'production'] });
    const state = await promotionUntil(worker.client, promotion.workflowId, (s) => s.outcome !== null);
    const step = state.steps.find((s) => s.environment === 'production')!;
    expect(step.approval?.override).toMatchObject({
      by: 'oncall',
      role: 'admin',
      reason: 'hotfix for an outage',
      via: 'signal',
    });
    expect(await repos.get(id)!.production.servingVersion()).toBe('1.0.0');
  });
});
