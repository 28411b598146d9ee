import { describe, expect, it } from 'vitest';
import type { ApprovalPageView } from '../../../../cli/api-types.js';
import { parse as parseApproval, renderApprovalPage } from '../../../../cli/commands/approval.js';
import { parse as parseApprove, renderDecision } from '../../../../cli/commands/approve.js';
import { parse as parseDeny } from '../../../../cli/commands/deny.js';
import { parseInput } from './parse-input.js';

const decision = (by: string, reason: string | null = null) => ({
  by,
  role: 'approver' as const,
  reason,
  at: '2025-10-13T10:00:00.000Z',
  via: 'api' as const,
});

describe('approve, deny and approval', () => {
  it('take <repo> <version> --env; deny needs --reason', () => {
    expect(parseApprove(parseInput(['shop', '1.2.0'], { env: 'production', reason: ' looks good ' }))).toEqual({
      name: 'approve',
      repo: 'shop',
      version: '1.2.0',
      environment: 'production',
      reason: 'looks good',
    });
    expect(parseApprove(parseInput(['shop', 'v1.2.0'], { env: 'production' }))).toMatchObject({ reason: null });
    expect(() => parseApprove(parseInput(['shop'], { env: 'production' }))).toThrow(
      '"shipgate approve" needs <repo> <version>',
    );
    expect(() => parseApprove(parseInput(['shop', 'latest'], { env: 'production' }))).toThrow(
      '<version> must be a version like 1.2.3, got "latest"',
    );
    expect(() => parseDeny(parseInput(['shop', '1.2.0'], { env: 'production' }))).toThrow(
      '"shipgate deny" needs --reason "<why>"',
    );
    expect(parseDeny(parseInput(['shop', '1.2.0'], { env: 'production', reason: 'no' }))).toMatchObject({
      name: 'deny',
      reason: 'no',
    });
    expect(() => parseApproval(parseInput(['shop', '1.2.0']))).toThrow('"shipgate approval" needs --env <env>');
  });

  it('says where the approvals stand after one', () => {
    const progress = {
      required: 2,
      from: ['approver'],
      notAuthor: true,
      expiresAt: '2025-10-14T10:00:00.000Z',
      approvals: [decision('alice')],
      denial: null,
      override: null,
    };
    expect(
      renderDecision('approved', {
        environment: 'production',
        version: '1.2.0',
        workflowId: 'promotion:shop:1.2.0',
        status: 'awaiting approval',
        reason: null,
        approval: progress,
      }),
    ).toEqual([
      '✓ approved 1.2.0 into production: awaiting approval',
      '  approvals 1 of 2: alice',
      '  through promotion:shop:1.2.0',
    ]);
  });

  it('prints the page: approvals, who may still approve, expiry, QA verdict, diff, changelog entry, commands', () => {
    const page: ApprovalPageView = {
      repoId: 'shop',
      environment: 'production',
      version: '1.2.0',
      tag: 'v1.2.0',
      workflowId: 'promotion:shop:1.2.0',
      promotion: { status: 'RUNNING', stage: 'awaiting approval production', outcome: null, reason: null },
      step: { status: 'awaiting approval', reason: 'needs 2 approvals', since: '2025-10-13T09:00:00.000Z' },
      approval: {
        required: 2,
        from: ['approver', 'carol'],
        notAuthor: true,
        expiresAt: '2025-10-14T10:00:00.000Z',
        approvals: [decision('alice', 'read it')],
        denial: null,
        override: null,
      },
      mayStillApprove: ['approver', 'carol'],
      qaReport: { name: 'qa-1.md', outcome: 'test-pass', text: '---\n' },
      changelogEntry: '## 1.2.0 (2025-10-13)\n\n### Features\n\n* greet\n',
      diff: {
        from: 'v1.1.0',
        to: 'v1.2.0',
        commits: 3,
        filesChanged: 2,
        insertions: 12,
        deletions: 1,
        files: [
          { path: 'src/greet.js', insertions: 10, deletions: 1, binary: false },
          { path: 'logo.png', insertions: 0, deletions: 0, binary: true },
        ],
        filesLeftOut: 0,
      },
      warnings: [],
    };
    expect(renderApprovalPage('shop', page)).toEqual([
      'Approval of shop 1.2.0 (v1.2.0) into production',
      '  promotion promotion:shop:1.2.0  RUNNING',
      '  step      awaiting approval: needs 2 approvals',
      '  approvals 1 of 2, from approver, carol',
      '    ✓ alice (approver) at 2025-10-13T10:00:00.000Z: read it',
      '  may still approve: approver, carol (not its authors nor who started it)',
      '  expires   2025-10-14T10:00:00.000Z',
      '  QA        test-pass (context/qa-1.md)',
      '  diff      v1.1.0..v1.2.0: 3 commits, 2 files changed, +12 −1',
      '    +10 −1  src/greet.js',
      '    binary  logo.png',
      '',
      '  ## 1.2.0 (2025-10-13)',
      '',
      '  ### Features',
      '',
      '  * greet',
      '',
      '  approve: shipgate approve shop 1.2.0 --env production --reason "…"',
      '  deny:    shipgate deny shop 1.2.0 --env production --reason "…"',
    ]);
  });
});
