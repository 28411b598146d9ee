import { serializeReport, type QaReportFrontMatter } from '../../../context/report.js';
import type { ContextFile } from '../../../context/recency.js';

export const HEAD_SHA = '9be07d2c4f1a8e3b5d6c7a8b9e0f1a2b3c4d5e6f';
export const HEAD_TREE = 'aa11bb22cc33dd44ee55ff6677889900aabbccdd';
export const OLD_SHA = '3f2a1c9e8d7c6b5a49382716f5e4d3c2b1a09f8e';
export const OLD_TREE = '0123456789abcdef0123456789abcdef01234567';

export function qaFrontMatter(overrides: Partial<QaReportFrontMatter> = {}): QaReportFrontMatter {
  return {
    outcome: 'test-pass',
    repository: 'acme/payments',
    branch: 'main',
    commit: HEAD_SHA,
    tree: HEAD_TREE,
    created_at: '2025-10-13T23:45:59Z',
    test_command: ['npm', 'test', '--', '--coverage'],
    duration_ms: 48_210,
    tests: { total: 120, passed: 118, failed: 0, skipped: 2 },
    coverage: {
      changed_lines: 40,
      covered_lines: 36,
      percent: 90,
      threshold: 80,
      min_changed_lines: 5,
      gate: 'passed',
    },
    ...overrides,
  };
}

/** A well-formed QA report file whose outcome follows the kind in its name. */
export function qaReportFile(name: string, overrides: Partial<QaReportFrontMatter> = {}): ContextFile {
  const outcome = name.includes('test-failures-') ? 'test-failures' : name.includes('test-gaps-') ? 'test-gaps' : 'test-pass';
  return { name, content: serializeReport(qaFrontMatter({ outcome, ...overrides }), `# ${name}\n`) };
}
