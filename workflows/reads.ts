import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { READ } from './activity-options.js';

/**
 * The reads of a working copy the API asks for. The API runs beside no working copy: it starts
 * one of these on the shared queue (`plan:<repo>`, `reports:<repo>`, …, see `workflowIdFor`) and
 * waits a bounded time for its result. Each is one local activity on the worker that takes it,
 * so a read costs a single workflow task; its failure carries the activity's catalogue code,
 * which the API answers as it always did.
 */
const read = proxyLocalActivities<Activities>(READ);

/**
 * `plan:<repo>[:<override>][@<page>]`: what a release would do now, with one page of its commits;
 * with `branch`, a release of that configured branch (its own tags, channel and range).
 */
export async function planReadWorkflow(input: Parameters<Activities['readPlan']>[0]) {
  return read.readPlan(input);
}

/** `head:<repo>[:<branch>]`: the commit a QA run of the repository (or of one of its branches) should test. */
export async function headReadWorkflow(input: Parameters<Activities['readHeadCommit']>[0]) {
  return read.readHeadCommit(input);
}

/** `remote-url:<repo>`: the remote URL of a local working copy, which webhooks match on. */
export async function remoteUrlReadWorkflow(input: { repoId: string }) {
  return read.readRemoteUrl(input);
}

/** `reports:<repo>`: the QA reports in context/, newest first. */
export async function reportsReadWorkflow(input: { repoId: string }) {
  return read.readReportList(input);
}

/** `ledger:<repo>`: the deploy ledger. */
export async function ledgerReadWorkflow(input: { repoId: string }) {
  return read.readDeployLedger(input);
}

/** `release-check:<repo>:<version>`: whether the version is a release shipgate made, so it may deploy. */
export async function releaseCheckReadWorkflow(input: { repoId: string; version: string }) {
  return read.readReleaseCheck(input);
}

/** `approval-page:<repo>:<version>`: the QA report, changelog entry and diff a person reads before approving. */
export async function approvalPageReadWorkflow(input: Parameters<Activities['readApprovalPage']>[0]) {
  return read.readApprovalPage(input);
}
