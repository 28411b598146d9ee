import { describe, expect, it } from 'vitest';
import { parse, renderDeployments } from '../../../../cli/commands/deployments.js';
import { at } from '../runs.js';
import { parseInput } from './parse-input.js';

describe('deployments', () => {
  it('takes --limit as a whole number from 1 to 999, as the API does', () => {
    expect(parse(parseInput(['shop']))).toEqual({ name: 'deployments', repo: 'shop', limit: null });
    expect(parse(parseInput(['shop'], { limit: '1' }))).toMatchObject({ limit: 1 });
    expect(parse(parseInput(['shop'], { limit: '999' }))).toMatchObject({ limit: 999 });
    for (const bad of ['0', '1000', '05', '-1', '2.5', 'ten', '']) {
      expect(() => parse(parseInput(['shop'], { limit: bad }))).toThrow(
        `--limit must be a whole number from 1 to 999, got "${bad}"`,
      );
    }
  });
});

describe('renderDeployments', () => {
  it('shows per environment what is live, then each run newest first with its outcome and who asked', () => {
    const entry = (
      version: string,
      outcome: 'deployed' | 'rolled-back' | 'abandoned' | 'failed',
      liveVersion: string | null,
      minute: number,
      requestedBy: string | null,
    ) => ({
      version,
      outcome,
      liveVersion,
      trigger: 'manual',
      requestedBy,
      startedAt: at(10, minute, 0),
      endedAt: at(10, minute + 1, 0),
      report: `deploy-20251013-10${String(minute + 1).padStart(2, '0')}00.md`,
      workflowId: 'deploy:sample:production',
      runId: `r${minute}`,
    });
    const lines = renderDeployments('sample', {
      environments: [
        {
          environment: 'production',
          live: { version: '1.0.0', since: at(10, 1, 0), report: 'deploy-20251013-100600.md' },
          entries: [
            entry('1.2.0', 'rolled-back', '1.0.0', 5, 'release:sample'),
            entry('1.1.0', 'abandoned', null, 3, 'api'),
            entry('1.0.0', 'deployed', '1.0.0', 0, null),
          ],
        },
      ],
      warnings: ['skipped deploy-20251013-090000.md: not a report shipgate wrote (its signature does not verify)'],
    });
    expect(lines).toEqual([
      'production: 1.0.0 is live, verified healthy since 2025-10-13 10:01 (deploy-20251013-100600.md)',
      'VERSION  OUTCOME      LIVE AFTER  TRIGGER  REQUESTED BY    ENDED             REPORT',
      '1.2.0    rolled-back  1.0.0       manual   release:sample  2025-10-13 10:06  deploy-20251013-100600.md',
      '1.1.0    abandoned    -           manual   api             2025-10-13 10:04  deploy-20251013-100400.md',
      '1.0.0    deployed     1.0.0       manual   -               2025-10-13 10:01  deploy-20251013-100100.md',
      'warning: skipped deploy-20251013-090000.md: not a report shipgate wrote (its signature does not verify)',
    ]);
  });

  it('says when nothing was verified healthy, and when nothing was deployed at all', () => {
    expect(
      renderDeployments('sample', {
        environments: [{ environment: 'staging', live: null, entries: [] }],
        warnings: [],
      })[0],
    ).toBe('staging: nothing verified healthy on record, so no rollback target');
    expect(renderDeployments('sample', { environments: [], warnings: [] })).toEqual([
      'No deployments of sample on record in its context/ yet.',
    ]);
  });
});
