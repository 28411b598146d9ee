/**
 * The one door from the API to a working copy on this host. Plans, reports, the deploy ledger and
 * the deployability check still read the repository directly, which ties the API to a worker's
 * disk; until those reads go through a worker, they all pass here, and a lint rule keeps every
 * other API file from importing activities/ or worker/.
 */
export { openGit, resolveCommit } from '../activities/git.js';
export { readLedgerOf } from '../activities/ledger.js';
export { planRelease, type ReleasePlan } from '../activities/plan.js';
export { checkRelease } from '../activities/released.js';
export { loadReportKeys, type ReportKeys } from '../activities/report-signing.js';
export { readReports } from '../activities/reports.js';
