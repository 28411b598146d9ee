import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../../cli/api-types.js';
import { renderRuns } from '../../../../cli/commands/list.js';
import { at, runSummary } from '../runs.js';

describe('renderRuns', () => {
  it('lists runs as a table with local start times', () => {
    const runs: RunSummary[] = [
      runSummary('r1', { outcome: 'deployed', branch: 'beta' }),
      runSummary('r2', {
        workflowId: 'release:other',
        status: 'RUNNING',
        startTime: at(10, 30),
        closeTime: null,
        repo: 'other',
        stage: 'qa',
        version: null,
        outcome: null,
        trigger: null,
      }),
    ];
    expect(renderRuns(runs)).toEqual([
      'WORKFLOW ID     RUN ID  TYPE     BRANCH  STATUS     STAGE  VERSION  OUTCOME   STARTED',
      'release:sample  r1      release  beta    COMPLETED  done   1.1.0    deployed  2025-10-13 09:05',
      'release:other   r2      release  -       RUNNING    qa     -        -         2025-10-13 10:30',
    ]);
    expect(renderRuns([])).toEqual(['No runs.']);
  });
});
