import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../../cli/api-types.js';
import { renderRuns } from '../../../../cli/commands/list.js';
import { at } from '../runs.js';

describe('renderRuns', () => {
  it('lists runs as a table with local start times', () => {
    const runs: RunSummary[] = [
      {
        workflowId: 'release:sample',
        runId: 'r1',
        type: 'releaseWorkflow',
        status: 'COMPLETED',
        startTime: at(9, 5),
        closeTime: at(9, 7),
        repo: 'sample',
        stage: 'done',
        version: '1.1.0',
        outcome: 'deployed',
        trigger: 'manual',
      },
      {
        workflowId: 'release:other',
        runId: 'r2',
        type: 'releaseWorkflow',
        status: 'RUNNING',
        startTime: at(10, 30),
        closeTime: null,
        repo: 'other',
        stage: 'qa',
        version: null,
        outcome: null,
        trigger: null,
      },
    ];
    expect(renderRuns(runs)).toEqual([
      'WORKFLOW ID     RUN ID  TYPE     STATUS     STAGE  VERSION  OUTCOME   STARTED',
      'release:sample  r1      release  COMPLETED  done   1.1.0    deployed  2025-10-13 09:05',
      'release:other   r2      release  RUNNING    qa     -        -         2025-10-13 10:30',
    ]);
    expect(renderRuns([])).toEqual(['No runs.']);
  });
});
