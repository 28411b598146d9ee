import { describe, expect, it } from 'vitest';
import type { QaRun, ReleaseRun } from '../../../cli/api-types.js';
import { formatTime } from '../../../cli/follow.js';
import { verdictOf } from '../../../cli/outcome.js';
import { awaitingDecision, deployRun, deployState, qaPassed, qaRunning, releaseAt, releaseEnded } from './runs.js';

const verdict = (run: Parameters<typeof verdictOf>[0]) => verdictOf(run, formatTime);

function qaEnded(outcome: 'test-failures' | 'test-gaps'): QaRun {
  const run = qaPassed();
  return { ...run, outcome, result: { ...run.result!, outcome, reason: `${outcome} found` } };
}

describe('verdictOf', () => {
  it('goes on following while a run is running or paused', () => {
    expect(verdict(qaRunning())).toBeNull();
    expect(verdict({ ...qaRunning(), status: 'PAUSED' })).toBeNull();
    expect(verdict(releaseAt('deploy', deployState()))).toBeNull();
  });

  it.each([
    ['released', 0],
    ['deployed', 0],
    ['nothing-to-release', 0],
    ['blocked-by-qa', 1],
    ['deploy-failed', 1],
    ['rolled-back', 1],
    ['abandoned', 1],
  ] as const)('exits %s with %i for a completed release', (outcome, exitCode) => {
    expect(verdict(releaseEnded(outcome, 'because'))).toMatchObject({ kind: 'ended', exitCode });
  });

  it('exits 0 for a QA pass and 1 for failures or gaps', () => {
    expect(verdict(qaPassed())).toMatchObject({
      exitCode: 0,
      lines: [expect.stringMatching(/^✓ qa:sample:\w+ test-pass: all 3 tests passed/)],
    });
    expect(verdict(qaEnded('test-failures'))).toMatchObject({
      exitCode: 1,
      lines: [expect.stringMatching(/^✗ qa:sample:\w+ test-failures: test-failures found$/)],
    });
    expect(verdict(qaEnded('test-gaps'))).toMatchObject({ exitCode: 1 });
  });

  it('names the version of a successful release', () => {
    expect(verdict(releaseEnded('deployed', 'v1.1.0 released; 1.1.0 is live'))?.lines).toEqual([
      '✓ release:sample deployed 1.1.0: v1.1.0 released; 1.1.0 is live',
    ]);
  });

  it.each(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'] as const)(
    'exits 1 when the workflow ended %s, with its failure',
    (status) => {
      const run: ReleaseRun = { ...releaseAt('qa'), status, failure: 'activity preflight failed: dirty work tree' };
      expect(verdict(run)).toEqual({
        kind: 'ended',
        exitCode: 1,
        lines: [`✗ release:sample ${status}: activity preflight failed: dirty work tree`],
      });
    },
  );

  it('stops with 3 when the deployment of a release awaits a decision, and says how to send one', () => {
    const result = verdict(releaseAt('deploy', awaitingDecision()));
    expect(result).toMatchObject({ kind: 'awaiting-decision', exitCode: 3 });
    expect(result?.lines).toEqual([
      '! release:sample awaits a decision: deploying 1.1.0 to production failed: health check failed 3 times (budget 2): HTTP 500',
      '  choose one of:',
      '    shipgate retry release:sample',
      '    shipgate rollback release:sample',
      '    shipgate abandon release:sample',
      '  without a decision by 13:01:00, the deployment ends as failed',
    ]);
  });

  it('stops with 3 when a publish step of the release awaits a decision, and says how to skip it', () => {
    const run: ReleaseRun = {
      ...releaseAt('push'),
      stage: 'awaiting decision',
      publish: {
        steps: [{ name: 'npm', artifact: 'shipgate-sample@1.1.0', status: 'failed', attempts: 2 }],
        awaiting: {
          step: 'npm',
          error: 'publish step "npm" (shipgate-sample@1.1.0): the command exited with 1',
          tail: ['npm error code ECONNREFUSED'],
          since: '2025-10-13T12:00:00.000Z',
          deadline: '2025-10-13T13:01:00.000Z',
          allowed: ['retry', 'skip', 'abandon'],
        },
      },
    };
    const result = verdict(run);
    expect(result).toMatchObject({ kind: 'awaiting-decision', exitCode: 3 });
    expect(result?.lines).toEqual([
      '! release:sample awaits a decision: publish step npm failed: publish step "npm" (shipgate-sample@1.1.0): the command exited with 1',
      '  choose one of:',
      '    shipgate retry release:sample              run publish step npm again (its check keeps the version from being published twice)',
      '    shipgate skip release:sample --reason "…"  record the step as skipped, with your reason, and go on',
      '    shipgate abandon release:sample            end the release publish-abandoned: nothing is deployed, v1.1.0 stays pushed',
      '  without a decision by 13:01:00, the release abandons its publish step',
    ]);
  });

  it('names the attempt that failed and what each decision would do, when the deployment says so', () => {
    const afterRollback = {
      ...awaitingDecision(),
      deploying: '1.0.0',
      failedAttempt: 'the rollback to 1.0.0 failed: health check failed 3 times (budget 2): HTTP 503',
      decisionEffects: {
        retry: 'deploy 1.1.0 again',
        rollback: 'roll back to 1.0.0 again',
        abandon: 'leave 1.0.0 live, failing its health check',
      },
    };
    expect(verdict(releaseAt('deploy', afterRollback))?.lines).toEqual([
      '! release:sample awaits a decision in production: the rollback to 1.0.0 failed: health check failed 3 times (budget 2): HTTP 503',
      '  choose one of:',
      '    shipgate retry release:sample     deploy 1.1.0 again',
      '    shipgate rollback release:sample  roll back to 1.0.0 again',
      '    shipgate abandon release:sample   leave 1.0.0 live, failing its health check',
      '  without a decision by 13:01:00, the deployment ends as failed',
    ]);
  });

  it('offers only the decisions the deployment allows', () => {
    const noPrevious = {
      ...awaitingDecision(),
      previousVersion: null,
      decisionsAllowed: ['retry', 'abandon'] as const,
    };
    const lines =
      verdict(releaseAt('deploy', { ...noPrevious, decisionsAllowed: [...noPrevious.decisionsAllowed] }))?.lines ?? [];
    expect(lines.filter((line) => line.startsWith('    shipgate'))).toEqual([
      '    shipgate retry release:sample',
      '    shipgate abandon release:sample',
    ]);
  });

  it('sends decisions for a followed deployment to the deployment itself', () => {
    expect(verdict(deployRun(awaitingDecision()))?.lines).toContain('    shipgate retry deploy:sample:production');
  });

  it('does not treat a closed run as awaiting, whatever its last state says', () => {
    expect(verdict({ ...releaseAt('deploy', awaitingDecision()), status: 'TERMINATED' })).toMatchObject({
      kind: 'ended',
      exitCode: 1,
    });
  });
});
