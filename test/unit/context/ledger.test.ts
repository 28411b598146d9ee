import { describe, expect, it } from 'vitest';
import { environmentLedger, readDeployLedger } from '../../../context/ledger.js';
import { serializeReport } from '../../../context/report.js';
import { renderDeployReport, type DeployReportInput } from '../../../domain/deploy-report.js';

const SHA = 'a'.repeat(40);

function deployReport(name: string, fields: Partial<DeployReportInput>): { name: string; content: string } {
  const stamp = /deploy-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(name)!;
  const input: DeployReportInput = {
    repoId: 'app', environment: 'production', version: '1.0.0', tag: 'v1.0.0', commit: SHA, previousVersion: null,
    outcome: 'deployed', reason: 'healthy', attempts: [], samples: [], lastOutput: [], decisions: [],
    workflowId: 'deploy:app:production', runId: `run-${name}`,
    createdAt: `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z`,
    ...fields,
  };
  return { name, content: renderDeployReport(input) };
}

describe('readDeployLedger', () => {
  it('has no live version for an environment nothing was deployed to', () => {
    expect(environmentLedger(readDeployLedger([]), 'production')).toEqual({ environment: 'production', live: null, entries: [] });
  });

  it('takes the live version from the newest run that ended verified healthy, past rollbacks and abandoned runs', () => {
    const ledger = readDeployLedger([
      deployReport('deploy-20251001-100000.md', { version: '1.0.0', outcome: 'deployed', liveVersion: '1.0.0' }),
      deployReport('deploy-20251002-100000.md', { version: '1.1.0', outcome: 'rolled-back', liveVersion: '1.0.0', previousVersion: '1.0.0' }),
      deployReport('deploy-20251003-100000.md', { version: '1.2.0', outcome: 'abandoned', liveVersion: null, previousVersion: '1.0.0' }),
      deployReport('deploy-20251004-100000.md', { version: '1.3.0', outcome: 'failed', liveVersion: null, previousVersion: '1.0.0' }),
    ]);
    const production = environmentLedger(ledger, 'production');
    expect(production.entries.map((e) => [e.version, e.outcome, e.liveVersion])).toEqual([
      ['1.3.0', 'failed', null],
      ['1.2.0', 'abandoned', null],
      ['1.1.0', 'rolled-back', '1.0.0'],
      ['1.0.0', 'deployed', '1.0.0'],
    ]);
    expect(production.live).toEqual({ version: '1.0.0', since: '2025-10-01T10:00:00Z', report: 'deploy-20251002-100000.md' });
    expect(ledger.warnings).toEqual([]);
  });

  it('follows a re-deploy of an older version', () => {
    const ledger = readDeployLedger([
      deployReport('deploy-20251001-100000.md', { version: '1.0.0', liveVersion: '1.0.0' }),
      deployReport('deploy-20251002-100000.md', { version: '1.1.0', liveVersion: '1.1.0' }),
      deployReport('deploy-20251003-100000.md', { version: '1.0.0', liveVersion: '1.0.0', previousVersion: '1.1.0' }),
    ]);
    expect(environmentLedger(ledger, 'production').live).toEqual({ version: '1.0.0', since: '2025-10-03T10:00:00Z', report: 'deploy-20251003-100000.md' });
  });

  it('keeps environments apart', () => {
    const ledger = readDeployLedger([
      deployReport('deploy-20251001-100000.md', { environment: 'staging', version: '2.0.0', liveVersion: '2.0.0' }),
      deployReport('deploy-20251001-110000.md', { environment: 'production', version: '1.0.0', liveVersion: '1.0.0' }),
    ]);
    expect(ledger.environments.map((e) => [e.environment, e.live?.version])).toEqual([['production', '1.0.0'], ['staging', '2.0.0']]);
  });

  it('reads reports written before live_version was recorded: a rollback went to the previous version they name', () => {
    const ledger = readDeployLedger([
      deployReport('deploy-20251001-100000.md', { version: '1.0.0' }),
      deployReport('deploy-20251002-100000.md', { version: '1.1.0', outcome: 'rolled-back', previousVersion: '1.0.0' }),
      deployReport('deploy-20251003-100000.md', { version: '1.2.0', outcome: 'abandoned', previousVersion: '1.1.0' }),
    ]);
    expect(environmentLedger(ledger, 'production').entries.map((e) => e.liveVersion)).toEqual([null, '1.0.0', '1.0.0']);
  });

  it('records who asked, when, and which run', () => {
    const ledger = readDeployLedger([
      deployReport('deploy-20251001-100000.md', { trigger: 'webhook', requestedBy: 'release:app', startedAt: '2025-10-01T09:58:00Z', liveVersion: '1.0.0' }),
    ]);
    expect(environmentLedger(ledger, 'production').entries[0]).toEqual({
      report: 'deploy-20251001-100000.md', environment: 'production', version: '1.0.0', outcome: 'deployed', liveVersion: '1.0.0',
      trigger: 'webhook', requestedBy: 'release:app', startedAt: '2025-10-01T09:58:00Z', endedAt: '2025-10-01T10:00:00Z',
      workflowId: 'deploy:app:production', runId: 'run-deploy-20251001-100000.md',
    });
  });

  it('leaves out, with a warning, reports the trust check refuses and reports that are not deploy reports', () => {
    const forged = deployReport('deploy-20251002-100000.md', { version: '9.0.1', liveVersion: '9.0.1' });
    const ledger = readDeployLedger(
      [
        deployReport('deploy-20251001-100000.md', { version: '1.0.0', liveVersion: '1.0.0' }),
        forged,
        { name: 'deploy-20251003-100000.md', content: serializeReport({ outcome: 'deployed', environment: 'production' }, 'no version') },
        { name: 'deploy-20251004-100000.md', content: 'not a report' },
        { name: 'notes.md', content: 'ignored' },
      ],
      (name) => name !== forged.name,
    );
    expect(environmentLedger(ledger, 'production').live?.version).toBe('1.0.0');
    expect(ledger.warnings).toEqual([
      'skipped deploy-20251002-100000.md: not a report shipgate wrote (its signature does not verify)',
      'skipped deploy-20251003-100000.md: missing required field "version"',
      expect.stringMatching(/^skipped deploy-20251004-100000\.md: .*no front matter/),
    ]);
  });
});
