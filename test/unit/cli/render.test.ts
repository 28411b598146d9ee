import { describe, expect, it } from 'vitest';
import { asRunView } from '../../../cli/api-types.js';
import { formatTime } from '../../../cli/follow.js';
import { renderRun } from '../../../cli/render-run.js';
import { renderStarted, table } from '../../../cli/render.js';
import { awaitingDecision, deployRun, deployState, qaPassed, qaRunning, releaseAt, releaseEnded } from './runs.js';

const snapshot = { running: '·', formatTime };

describe('table', () => {
  it('pads every column but the last, and ends no line in spaces', () => {
    expect(
      table(
        ['A', 'LONGER', 'C'],
        [
          ['xyz', '1', ''],
          ['q', '22', 'end'],
        ],
      ),
    ).toEqual(['A    LONGER  C', 'xyz  1', 'q    22      end']);
  });
});

describe('renderStarted', () => {
  it('names the run and how to follow it', () => {
    expect(
      renderStarted('QA of sample', { workflowId: 'qa:sample:abc1234def', runId: 'r1', sha: 'abc1234def' }),
    ).toEqual([
      'Started QA of sample at abc1234: qa:sample:abc1234def (run r1)',
      'Follow it with: shipgate status qa:sample:abc1234def --follow',
    ]);
  });
});

describe('renderRun', () => {
  it('shows a running QA run with its steps and the last test output', () => {
    expect(renderRun(qaRunning(), snapshot)).toEqual([
      'qa:sample:abc1234def5678abc1234def5678abc1234def56  RUNNING  stage: test',
      '  commit   abc1234 of sample (trigger manual)',
      '  steps',
      '    ✓ pin      worker w1',
      '    ✓ inspect  no report for this commit',
      '    ✓ analyse  2 commits, 3 files, 10 lines changed',
      '    · test',
      '    │ ▶ math',
      '    │   ✔ adds two numbers (0.4ms)',
    ]);
  });

  it('shows a passed QA run with tests, coverage, outcome and report', () => {
    const text = renderRun(qaPassed(), snapshot).join('\n');
    expect(text).toContain('COMPLETED  stage: done');
    expect(text).toContain('  tests    3 passed, 0 failed, 0 skipped (3 in all)');
    expect(text).toContain('  coverage 100% of changed lines (threshold 80%): passed');
    expect(text).toContain('  outcome  test-pass: all 3 tests passed; changed-line coverage 100% ≥ 80%');
    expect(text).toContain('  report   context/test-pass-20251013-100005.md');
    expect(text).not.toContain('│');
  });

  it('shows a run that did not answer its state query by its status alone', () => {
    expect(
      renderRun(
        { kind: 'qa', workflowId: 'qa:x:y', runId: 'r', status: 'TERMINATED', failure: 'stopped by a person' },
        snapshot,
      ),
    ).toEqual(['qa:x:y  TERMINATED', '  failure  stopped by a person']);
  });

  it("shows a release with its version, QA and the deployment's health", () => {
    const text = renderRun(releaseAt('deploy', deployState()), snapshot).join('\n');
    expect(text).toContain('release:sample  RUNNING  stage: deploy');
    expect(text).toContain('  version  1.1.0 (tag v1.1.0), previous 1.0.0');
    expect(text).toContain('  qa       test-pass qa:sample:');
    expect(text).toContain('  plan     minor: 1.0.0 → 1.1.0 (2 commits)');
    expect(text).toContain('    ✓ push       push done');
    expect(text).toContain('    · deploy');
    expect(text).toContain('  deploy   deploy:sample:production');
    expect(text).toContain('    stage    verify 1.1.0');
    expect(text).toContain('    health   ok · HTTP 200 · 12 ms · version 1.1.0');
  });

  it('says who asked for a release or a QA run, and nothing for runs that name no one', () => {
    expect(renderRun({ ...releaseAt('qa'), requestedBy: 'rob' }, snapshot)).toContain('  asked by rob');
    expect(renderRun({ ...qaPassed(), requestedBy: 'watch' }, snapshot)).toContain('  asked by watch');
    expect(renderRun(releaseAt('qa'), snapshot).join('\n')).not.toContain('asked by');
  });

  it('shows the branch a release is from and its channel, and no branch line for runs from before channels', () => {
    const beta = renderRun({ ...releaseAt('qa'), branch: 'beta', channel: 'beta' }, snapshot);
    expect(beta[1]).toBe('  branch   beta (channel beta)');
    expect(renderRun(releaseAt('qa'), snapshot).join('\n')).not.toContain('branch');
  });

  it('shows the awaited decision of a deployment with its deadline', () => {
    const text = renderRun(deployRun(awaitingDecision()), snapshot).join('\n');
    expect(text).toContain('deploy:sample:production  RUNNING  stage: awaiting decision');
    expect(text).toContain('  error    health check failed 3 times (budget 2): HTTP 500');
    expect(text).toContain('    │ starting sample 1.1.0');
    expect(text).toContain('  awaiting a decision: retry | rollback | abandon (before 13:01:00)');
    expect(text).toContain('  health   failing · HTTP 500 · 8 ms · version 1.1.0: HTTP 500');
  });

  it('says, while a decision is awaited, where a rollback goes or why there is none', () => {
    const note =
      'to 1.0.0, live and verified healthy in production since 2025-10-13T10:01:00Z (deploy-20251013-100100.md)';
    expect(renderRun(deployRun({ ...awaitingDecision(), rollbackNote: note }), snapshot)).toContain(
      `  rollback ${note}`,
    );
    expect(renderRun(deployRun({ ...deployState(), rollbackNote: note }), snapshot).join('\n')).not.toContain(
      'rollback',
    );
  });

  it('says, while a decision is awaited, which attempt failed and what each decision would do', () => {
    const waiting = {
      ...awaitingDecision(),
      failedAttempt: 'the rollback to 1.0.0 failed: health check failed 3 times (budget 2): HTTP 503',
      decisionEffects: {
        retry: 'deploy 1.1.0 again',
        rollback: 'roll back to 1.0.0 again',
        abandon: 'leave 1.0.0 live, failing its health check',
      },
    };
    const lines = renderRun(deployRun(waiting), snapshot);
    expect(lines).toContain(
      '  failed   the rollback to 1.0.0 failed: health check failed 3 times (budget 2): HTTP 503',
    );
    expect(lines).toContain(
      '  choices  retry: deploy 1.1.0 again · rollback: roll back to 1.0.0 again · abandon: leave 1.0.0 live, failing its health check',
    );
    expect(renderRun(deployRun({ ...deployState(), failedAttempt: 'old news' }), snapshot).join('\n')).not.toContain(
      'old news',
    );
  });

  it('marks the unfinished step of a run that ended with ✗', () => {
    const failed = { ...releaseAt('qa'), status: 'FAILED' as const, failure: 'activity task failed' };
    expect(renderRun(failed, snapshot)).toContain('    ✗ qa');
  });

  it('shows the outcome of an ended release', () => {
    expect(renderRun(releaseEnded('deployed', 'v1.1.0 released; 1.1.0 is live'), snapshot)).toContain(
      '  outcome  deployed: v1.1.0 released; 1.1.0 is live',
    );
  });
});

describe('asRunView', () => {
  it('reads the state the API nests under `state` beside the run fields', () => {
    const nested = asRunView('release', {
      workflowId: 'release:sample',
      runId: 'r',
      status: 'RUNNING',
      state: { kind: 'release', stage: 'qa', version: null },
    });
    expect(nested).toMatchObject({ kind: 'release', workflowId: 'release:sample', status: 'RUNNING', stage: 'qa' });
    expect(nested).not.toHaveProperty('state');
    expect(
      asRunView('qa', { workflowId: 'qa:x:y', runId: 'r', status: 'RUNNING', state: { kind: 'qa', stage: 'test' } }),
    ).toMatchObject({ kind: 'qa', stage: 'test' });
    expect(asRunView('deploy', { workflowId: 'deploy:x:prod', runId: 'r', status: 'COMPLETED', state: null })).toEqual({
      kind: 'deploy',
      workflowId: 'deploy:x:prod',
      runId: 'r',
      status: 'COMPLETED',
    });
  });
});
