import { describe, expect, it } from 'vitest';
import {
  approvalDecided,
  approvalRefusal,
  approvalRequestOf,
  approvalWaitReason,
  type ApprovalContext,
} from '../../../domain/approval.js';
import type { ApprovalProgress, ApprovalRequest } from '../../../vocabulary/environments.js';
import type { Identity } from '../../../vocabulary/identity.js';

function progress(more: Partial<ApprovalProgress> = {}): ApprovalProgress {
  return {
    required: 2,
    from: ['approver', 'admin', 'carol'],
    notAuthor: true,
    expiresAt: '2026-01-02T00:00:00.000Z',
    approvals: [],
    denial: null,
    override: null,
    ...more,
  };
}

function context(more: Partial<ApprovalProgress> = {}, status = 'awaiting approval' as const): ApprovalContext {
  return {
    version: '1.2.0',
    steps: [
      { environment: 'staging', status: 'deployed', reason: 'healthy', approval: undefined },
      { environment: 'production', status, reason: null, approval: progress(more) },
    ],
    startedBy: 'rita',
    authors: ['Dana Developer', 'dana@example.test'],
  };
}

const person = (name: string, role: Identity['role'], authors: string[] = []): ApprovalRequest => ({
  environment: 'production',
  by: { name, role, authors },
  reason: null,
});

const decision = (by: string) => ({
  by,
  role: 'approver' as const,
  reason: null,
  at: '2026-01-01T00:00:00.000Z',
  via: 'api' as const,
});

describe('approvalRefusal', () => {
  it('lets an approver who neither started nor wrote the release approve', () => {
    expect(approvalRefusal(context(), person('alice', 'approver'), 'approve')).toBeNull();
  });

  it('lets a person named in from approve whatever their role', () => {
    expect(approvalRefusal(context(), person('carol', 'viewer'), 'approve')).toBeNull();
  });

  it('refuses an environment the promotion does not go through', () => {
    const refusal = approvalRefusal(context(), { ...person('alice', 'approver'), environment: 'qa' }, 'approve');
    expect(refusal).toEqual({
      code: 'SHIPGATE_UNKNOWN_ENVIRONMENT',
      message: '1.2.0 is promoted through staging, production, not "qa"',
    });
  });

  it('refuses an environment that does not wait for approval, with where it stands', () => {
    expect(approvalRefusal(context(), { ...person('alice', 'approver'), environment: 'staging' }, 'deny')).toEqual({
      code: 'SHIPGATE_NOT_AWAITING_APPROVAL',
      message: '1.2.0 is not awaiting approval into staging: it is deployed (healthy)',
    });
  });

  it('refuses a name and role not in from', () => {
    expect(approvalRefusal(context(), person('vic', 'releaser'), 'approve')).toEqual({
      code: 'SHIPGATE_APPROVAL_REFUSED',
      message: 'vic (releaser) may not approve 1.2.0 into production: only approver, admin, carol may',
    });
  });

  it('refuses a second approval by the same person, whatever the case, but not their denial', () => {
    const twice = context({ approvals: [decision('alice')] });
    expect(approvalRefusal(twice, person('Alice', 'approver'), 'approve')?.message).toBe(
      'Alice already approved 1.2.0 into production: approvals must come from 2 different people',
    );
    expect(approvalRefusal(twice, person('alice', 'approver'), 'deny')).toBeNull();
  });

  it('refuses who started the release, by name or by one of their author names', () => {
    expect(approvalRefusal(context(), person('rita', 'admin'), 'approve')?.message).toBe(
      'rita started the release of 1.2.0 and may not approve it into production: separation of duties',
    );
    expect(approvalRefusal(context(), person('r.smith', 'admin', ['RITA']), 'deny')?.message).toMatch(
      /^r\.smith started the release of 1\.2\.0 and may not deny it/,
    );
  });

  it('refuses an author of a commit of the release, by name or email, whatever the case', () => {
    expect(approvalRefusal(context(), person('dana', 'approver', ['DANA@example.test']), 'approve')).toEqual({
      code: 'SHIPGATE_APPROVAL_REFUSED',
      message:
        'dana authored a commit of the release of 1.2.0 (as dana@example.test) and may not approve it into production',
    });
    expect(approvalRefusal(context(), person('dana developer', 'approver'), 'approve')?.code).toBe(
      'SHIPGATE_APPROVAL_REFUSED',
    );
  });

  it('lets the starter and the authors approve without notAuthor', () => {
    expect(approvalRefusal(context({ notAuthor: false }), person('rita', 'admin'), 'approve')).toBeNull();
    expect(
      approvalRefusal(context({ notAuthor: false }), person('dana', 'approver', ['dana@example.test']), 'approve'),
    ).toBeNull();
  });

  it('checks in order: not allowed comes before separation of duties', () => {
    expect(approvalRefusal(context(), person('rita', 'releaser'), 'approve')?.message).toContain('may not approve');
    expect(approvalRefusal(context(), person('rita', 'releaser'), 'approve')?.message).not.toContain('started');
  });
});

describe('approvalRequestOf', () => {
  it('takes a well-formed request, an empty reason as none', () => {
    expect(approvalRequestOf({ environment: 'production', by: { name: 'a', role: 'admin' }, reason: ' ' })).toEqual({
      environment: 'production',
      by: { name: 'a', role: 'admin', authors: [] },
      reason: null,
    });
  });

  it.each([
    [null, 'the request must be an object'],
    ['approve', 'the request must be an object'],
    [{}, 'environment must name an environment'],
    [{ environment: 'production' }, 'by must be the identity'],
    [{ environment: 'production', by: { name: 'a' } }, 'by.role must be one of'],
    [{ environment: 'production', by: { name: 'a', role: 'root' } }, 'by.role must be one of'],
    [{ environment: 'production', by: { name: 'a', role: 'admin', authors: 'a' } }, 'by.authors must be a list'],
    [{ environment: 'production', by: { name: 'a', role: 'admin' }, reason: 3 }, 'reason must be text'],
  ])('refuses %j as a bad request', (sent, message) => {
    const answer = approvalRequestOf(sent);
    expect(answer).toMatchObject({ code: 'SHIPGATE_BAD_REQUEST' });
    expect((answer as { message: string }).message).toContain(message);
  });
});

describe('approvalDecided and approvalWaitReason', () => {
  it('is decided by enough different approvers, a denial or an override', () => {
    expect(approvalDecided(progress({ approvals: [decision('a')] }))).toBe(false);
    expect(approvalDecided(progress({ approvals: [decision('a'), decision('A')] }))).toBe(false);
    expect(approvalDecided(progress({ approvals: [decision('a'), decision('b')] }))).toBe(true);
    expect(approvalDecided(progress({ denial: decision('a') }))).toBe(true);
    expect(approvalDecided(progress({ override: { ...decision('root'), role: 'admin' } }))).toBe(true);
  });

  it('says how many it needs, from whom, how many so far and until when', () => {
    expect(approvalWaitReason(progress({ approvals: [decision('alice')] }))).toBe(
      'needs 2 approvals from approver, admin, carol; 1 so far (alice); expires at 2026-01-02T00:00:00.000Z',
    );
    expect(approvalWaitReason(progress({ required: 1 }))).toBe(
      'needs 1 approval from approver, admin, carol; 0 so far; expires at 2026-01-02T00:00:00.000Z',
    );
  });
});
