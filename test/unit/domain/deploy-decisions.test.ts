import { describe, expect, it } from 'vitest';
import {
  abandonedReason,
  decisionEffects,
  describeFailure,
  rolledBackReason,
  type FailedAttempt,
} from '../../../domain/deploy-decisions.js';

const unhealthy = 'health check failed 3 times (budget 2): HTTP 503';
const deployFailed: FailedAttempt = { kind: 'deploy', version: '1.3.0', reason: unhealthy, deployed: true };
const rollbackFailed: FailedAttempt = { kind: 'rollback', version: '1.2.1', reason: unhealthy, deployed: true };
const ALL = ['retry', 'rollback', 'abandon'] as const;

describe('describeFailure', () => {
  it('names the attempt that failed: the release or the rollback', () => {
    expect(describeFailure(deployFailed)).toBe(`deploying 1.3.0 failed: ${unhealthy}`);
    expect(describeFailure(rollbackFailed)).toBe(`the rollback to 1.2.1 failed: ${unhealthy}`);
  });
});

describe('abandonedReason', () => {
  it('says what stays live only when its deploy command succeeded', () => {
    expect(abandonedReason(rollbackFailed)).toBe(
      `abandoned by an operator after the rollback to 1.2.1 failed: ${unhealthy}; 1.2.1 is left live, failing its health check`,
    );
    expect(abandonedReason({ ...deployFailed, deployed: false, reason: 'the deploy command exited with 1' })).toBe(
      'abandoned by an operator after deploying 1.3.0 failed: the deploy command exited with 1',
    );
  });
});

describe('decisionEffects', () => {
  it('says what each decision would do after the release failed', () => {
    expect(decisionEffects({ version: '1.3.0', rollbackTo: '1.2.1', failed: deployFailed, allowed: ALL })).toEqual({
      retry: 'deploy 1.3.0 again',
      rollback: 'roll back to 1.2.1',
      abandon: 'leave 1.3.0 live, failing its health check',
    });
  });

  it('after a failed rollback, retry still deploys the release and abandon leaves the rollback target', () => {
    expect(decisionEffects({ version: '1.3.0', rollbackTo: '1.2.1', failed: rollbackFailed, allowed: ALL })).toEqual({
      retry: 'deploy 1.3.0 again',
      rollback: 'roll back to 1.2.1 again',
      abandon: 'leave 1.2.1 live, failing its health check',
    });
  });

  it('does not call a version live when its deploy command failed', () => {
    const commandFailed: FailedAttempt = {
      ...deployFailed,
      deployed: false,
      reason: 'the deploy command exited with 1',
    };
    expect(
      decisionEffects({ version: '1.3.0', rollbackTo: null, failed: commandFailed, allowed: ['abandon'] }),
    ).toEqual({
      abandon: 'stop, with the environment as the failed deploy command of 1.3.0 left it',
    });
  });

  it('describes only the decisions allowed', () => {
    expect(
      decisionEffects({ version: '1.3.0', rollbackTo: null, failed: deployFailed, allowed: ['retry', 'abandon'] }),
    ).toEqual({
      retry: 'deploy 1.3.0 again',
      abandon: 'leave 1.3.0 live, failing its health check',
    });
  });
});

describe('rolledBackReason', () => {
  it('reports the rollback that worked and the failure of the release that caused it', () => {
    expect(
      rolledBackReason({ to: '1.2.1', health: 'healthy after 2 checks', rollbacks: 1, deployFailure: deployFailed }),
    ).toBe(`rolled back to 1.2.1 (healthy after 2 checks) after deploying 1.3.0 failed: ${unhealthy}`);
  });

  it('says which rollback worked when earlier ones failed', () => {
    expect(
      rolledBackReason({ to: '1.2.1', health: 'healthy after 2 checks', rollbacks: 2, deployFailure: deployFailed }),
    ).toBe(
      `rolled back to 1.2.1 (healthy after 2 checks, at the 2nd rollback) after deploying 1.3.0 failed: ${unhealthy}`,
    );
    expect(
      rolledBackReason({
        to: '1.2.1',
        health: 'no health check configured',
        rollbacks: 11,
        deployFailure: deployFailed,
      }),
    ).toContain('at the 11th rollback');
  });
});
