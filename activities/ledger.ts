import { environmentLedger, readDeployLedger, type DeployLedger } from '../context/ledger.js';
import { parseReport } from '../context/report.js';
import { tagName } from '../domain/bump.js';
import type { ActivityDeps } from './deps.js';
import type { ReportKeys } from './report-signing.js';
import { readContextFiles, verifyReportFile } from './reports.js';
import { openWorkingCopy } from './working-copy.js';

/** What a deployment needs from the ledger: the version to roll back to, and why there may be none. */
export interface LedgerVerdict {
  environment: string;
  /** The version last verified healthy in the environment, with its tag; null when none is on record. */
  live: { version: string; tag: string; since: string; report: string } | null;
  /** How many deploy reports of the environment the ledger holds. */
  entries: number;
  warnings: string[];
}

/**
 * The deploy ledger of a working copy: the deploy reports in its context/ whose signature
 * verifies. A hand-written one could otherwise name any version as last good and steer a rollback.
 */
export async function readLedgerOf(repoDir: string, keys: ReportKeys): Promise<DeployLedger> {
  const signed = (name: string, text: string): boolean => {
    const parsed = parseReport(text, name);
    return parsed.ok && verifyReportFile(name, text, parsed.frontMatter.created_at, keys).ok;
  };
  // Only deploy reports are opened: QA reports usually outnumber them, and the ledger never reads those.
  return readDeployLedger(await readContextFiles(repoDir, (name) => name.startsWith('deploy-')), signed);
}

export function createLedgerActivities(deps: ActivityDeps) {
  return {
    /** The version last verified healthy in one environment, from shipgate's own record, never from git history. */
    async deployLedger(input: { repoId: string; environment: string }): Promise<LedgerVerdict> {
      const { repo, dir } = await openWorkingCopy(deps, input.repoId, { fetch: false });
      const ledger = await readLedgerOf(dir, deps.reportKeys);
      const { live, entries } = environmentLedger(ledger, input.environment);
      return {
        environment: input.environment,
        live: live ? { ...live, tag: tagName(live.version, repo.tagFormat) } : null,
        entries: entries.length,
        warnings: ledger.warnings.slice(0, 20),
      };
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
