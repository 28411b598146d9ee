import { describe, expect, it } from 'vitest';
import { renderDeployReport, type DeployReportInput } from '../../../domain/deploy-report.js';

const input: DeployReportInput = {
  repoId: 'sample',
  environment: 'production',
  version: '1.2.0',
  tag: 'v1.2.0',
  commit: 'a'.repeat(40),
  previousVersion: '1.1.0',
  outcome: 'rolled-back',
  reason: 'health failed: \x1b[2J\u202Esdrawkcab',
  attempts: [
    {
      attempt: 1,
      version: '1.2.0',
      kind: 'deploy',
      at: '2026-01-01T00:00:00Z',
      deployOk: true,
      healthOk: false,
      reason: 'bell\x07',
    },
  ],
  samples: [
    { at: '2026-01-01T00:00:01Z', status: 500, latencyMs: 3, version: null, ok: false, error: 'boom\x1b]0;title\x07' },
  ],
  lastOutput: ['\x1b[31mdeploying\x1b[0m\tstep 1', 'done \u2066x\u2069'],
  decisions: [],
  workflowId: 'deploy:sample:production',
  runId: 'run',
  createdAt: '2026-01-01T00:00:02Z',
};

describe('renderDeployReport', () => {
  it('shows control and bidi characters from deploy output and health errors as visible escapes, keeping lines and tabs', () => {
    const text = renderDeployReport(input);
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('**Outcome:** rolled-back — health failed: \\\\u001b\\[2J&lt;U+202E&gt;sdrawkcab.');
    expect(text).toContain('| bell\\\\u0007 |');
    expect(text).toContain('| boom\\\\u001b\\]0;title\\\\u0007 |');
    expect(text).toContain('```text\n\\u001b[31mdeploying\\u001b[0m\tstep 1\ndone <U+2066>x<U+2069>\n```');
  });
});
