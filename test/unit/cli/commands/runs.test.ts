import { describe, expect, it } from 'vitest';
import { parse, renderRunsOf } from '../../../../cli/commands/runs.js';
import { at, runSummary } from '../runs.js';
import { parseInput } from './parse-input.js';

const run = runSummary;

describe('runs', () => {
  it('takes a workflow ID and refuses anything else', () => {
    expect(parse(parseInput(['release:sample']))).toEqual({ name: 'runs', id: 'release:sample' });
    expect(() => parse(parseInput(['sample']))).toThrow('"sample" is not a workflow ID');
  });

  it('lists the runs of one ID with their run IDs, and says how to show one', () => {
    const lines = renderRunsOf('release:sample', [
      run('r2', { status: 'RUNNING', closeTime: null, startTime: at(10, 30), version: null, outcome: null }),
      run('r1', {}),
    ]);
    expect(lines).toEqual([
      'RUN ID  STATUS     VERSION  OUTCOME   STARTED           CLOSED',
      'r2      RUNNING    -        -         2025-10-13 10:30  -',
      'r1      COMPLETED  1.1.0    released  2025-10-13 09:05  2025-10-13 09:07',
      '',
      'Show one: shipgate status release:sample --run <runId>',
    ]);
    expect(renderRunsOf('release:none', [])).toEqual(['No runs of release:none.']);
  });
});
