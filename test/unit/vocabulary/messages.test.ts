import { describe, expect, it } from 'vitest';
import { isShipgateScheduleId, parseDecision, scheduleIdFor, workflowIdFor } from '../../../vocabulary/messages.js';

describe('business IDs', () => {
  it('names the runs of a repository', () => {
    expect(workflowIdFor('release', 'app')).toBe('release:app');
    expect(workflowIdFor('qa', 'app', 'abc123')).toBe('qa:app:abc123');
    expect(workflowIdFor('deploy', 'app', 'production')).toBe('deploy:app:production');
    expect(workflowIdFor('delivery', 'app', 'd-1')).toBe('delivery:app:d-1');
    expect(workflowIdFor('watch-tick', 'app')).toBe('watch-tick:app');
    expect(workflowIdFor('release-train-run', 'app')).toBe('release-train-run:app');
  });

  it('names the schedules of a repository, as the cluster already knows them', () => {
    expect(scheduleIdFor('watch', 'app')).toBe('watch:app');
    expect(scheduleIdFor('release-train', 'app')).toBe('release-train:app');
  });

  it('tells the schedules shipgate named from any other schedule on the namespace', () => {
    expect(isShipgateScheduleId(scheduleIdFor('watch', 'app'))).toBe(true);
    expect(isShipgateScheduleId(scheduleIdFor('release-train', 'app'))).toBe(true);
    expect(isShipgateScheduleId('nightly-backup')).toBe(false);
    expect(isShipgateScheduleId('watch-tick:app')).toBe(false);
  });
});

describe('a decision as a person types it', () => {
  it('reads any case, spaces, hyphens and underscores', () => {
    for (const typed of ['retry', 'Retry', ' RETRY ', 're-try']) expect(parseDecision(typed), typed).toBe('retry');
    for (const typed of ['rollback', 'roll back', 'Roll-Back', 'roll_back', 'ROLLBACK'])
      expect(parseDecision(typed), typed).toBe('rollback');
    expect(parseDecision('Abandon')).toBe('abandon');
  });

  it('reads nothing else as a decision', () => {
    for (const value of ['ship it', 'retryy', '', 'roll', 42, null, { decision: 'retry' }, ['retry']])
      expect(parseDecision(value), JSON.stringify(value)).toBeNull();
  });
});
