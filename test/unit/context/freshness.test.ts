import { describe, expect, it } from 'vitest';
import { isApprovalFresh, type ApprovalInput } from '../../../context/recency.js';
import type { QaReport, QaReportFrontMatter } from '../../../context/report.js';
import { HEAD_SHA, HEAD_TREE, OLD_SHA, OLD_TREE, qaFrontMatter } from './report-fixtures.js';

const PASS_NAME = 'test-pass-20251013-234559.md';
const REPORT_WRITTEN_AT = '2025-10-13T23:45:59Z';
const REPORT_WRITTEN_MS = Date.parse(REPORT_WRITTEN_AT);
const HOUR = 3_600_000;

function report(name: string, overrides: Partial<QaReportFrontMatter> = {}): QaReport {
  const kind = name.startsWith('test-failures') ? 'test-failures' : name.startsWith('test-gaps') ? 'test-gaps' : 'test-pass';
  return {
    name,
    kind,
    frontMatter: qaFrontMatter({ outcome: kind, created_at: REPORT_WRITTEN_AT, ...overrides }),
    body: '',
  };
}

const PENDING = [
  { sha: 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1', committedAtMs: REPORT_WRITTEN_MS - 4 * HOUR },
  { sha: 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2', committedAtMs: REPORT_WRITTEN_MS - 3 * HOUR },
  { sha: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3', committedAtMs: REPORT_WRITTEN_MS - 2 * HOUR },
];

function input(overrides: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    report: report(PASS_NAME),
    head: { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS - HOUR },
    pending: PENDING,
    ...overrides,
  };
}

describe('isApprovalFresh', () => {
  it('approves a pass for HEAD written after HEAD and every pending commit', () => {
    expect(isApprovalFresh(input())).toEqual({
      fresh: true,
      reason: 'test-pass-20251013-234559 covers HEAD 9be07d2 and is newer than all 4 pending commits',
    });
  });

  it('counts HEAD once when the pending commits already include it', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS - HOUR };
    const verdict = isApprovalFresh(input({ head, pending: [...PENDING, head] }));
    expect(verdict.reason).toContain('newer than all 4 pending commits');
  });

  it('speaks of a single pending commit when HEAD is the only change', () => {
    expect(isApprovalFresh(input({ pending: [] })).reason).toBe(
      'test-pass-20251013-234559 covers HEAD 9be07d2 and is newer than the 1 pending commit',
    );
  });

  it('approves a pass for a different SHA with the same tree, since it tested the same code', () => {
    const verdict = isApprovalFresh(input({ report: report(PASS_NAME, { commit: OLD_SHA, tree: HEAD_TREE }) }));
    expect(verdict).toEqual({
      fresh: true,
      reason: 'test-pass-20251013-234559 covers HEAD 9be07d2 by its tree (tested as 3f2a1c9) and is newer than all 4 pending commits',
    });
  });

  it('approves a pass for HEAD even if the recorded tree differs', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { tree: OLD_TREE }) })).fresh).toBe(true);
  });

  it('compares SHAs without regard to letter case', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { commit: HEAD_SHA.toUpperCase(), tree: OLD_TREE }) })).fresh).toBe(
      true,
    );
  });

  it('refuses when there is no report at all', () => {
    expect(isApprovalFresh(input({ report: null }))).toEqual({ fresh: false, reason: 'no test-pass report in context/' });
  });

  it('refuses when the newest report records failures', () => {
    expect(isApprovalFresh(input({ report: report('test-failures-20251013-234559.md') }))).toEqual({
      fresh: false,
      reason: 'newest report test-failures-20251013-234559 is not a pass',
    });
  });

  it('refuses when the newest report records coverage gaps', () => {
    expect(isApprovalFresh(input({ report: report('test-gaps-20251013-234559-2.md') }))).toEqual({
      fresh: false,
      reason: 'newest report test-gaps-20251013-234559-2 is not a pass',
    });
  });

  it('refuses a pass for another commit with another tree', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { commit: OLD_SHA, tree: OLD_TREE }) }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 covers 3f2a1c9, HEAD is 9be07d2',
    });
  });

  it('refuses when the QA pass is older than HEAD', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS + 30_000 };
    expect(isApprovalFresh(input({ head }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 was written at 2025-10-13T23:45:59.000Z before commit 9be07d2 at 2025-10-13T23:46:29.000Z',
    });
  });

  it('refuses when a pending commit is dated after the pass, naming the latest such commit', () => {
    const pending = [
      ...PENDING,
      { sha: 'd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4', committedAtMs: REPORT_WRITTEN_MS + HOUR },
      { sha: 'e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5', committedAtMs: REPORT_WRITTEN_MS + 2 * HOUR },
    ];
    expect(isApprovalFresh(input({ pending }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 was written at 2025-10-13T23:45:59.000Z before commit e5e5e5e at 2025-10-14T01:45:59.000Z',
    });
  });

  it('refuses when the pass was written in the same millisecond as a commit, since it must be newer', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS };
    expect(isApprovalFresh(input({ head })).fresh).toBe(false);
  });

  it('approves a pass written one millisecond after the latest commit', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS - 1 };
    expect(isApprovalFresh(input({ head })).fresh).toBe(true);
  });

  it('uses the milliseconds of created_at', () => {
    const head = { sha: HEAD_SHA, tree: HEAD_TREE, committedAtMs: REPORT_WRITTEN_MS + 100 };
    const written = report(PASS_NAME, { created_at: '2025-10-13T23:45:59.250Z' });
    expect(isApprovalFresh(input({ head, report: written })).fresh).toBe(true);
  });

  it('refuses when a pending commit has an unknown date', () => {
    const pending = [{ sha: 'f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6', committedAtMs: Number.NaN }];
    expect(isApprovalFresh(input({ pending }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 was written at 2025-10-13T23:45:59.000Z before commit f6f6f6f at an unknown time',
    });
  });

  it('refuses a hand-built report whose created_at is not a timestamp', () => {
    expect(isApprovalFresh(input({ report: report(PASS_NAME, { created_at: 'yesterday' }) }))).toEqual({
      fresh: false,
      reason: 'test-pass-20251013-234559 has no valid created_at ("yesterday")',
    });
  });
});
