import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { environmentOrFail } from '../config/environments.js';
import { tagName } from '../domain/bump.js';
import { ShipgateError } from '../domain/errors.js';
import {
  approveUpdate,
  denyUpdate,
  overrideUpdate,
  type Gate,
  type PromotionState,
} from '../vocabulary/environments.js';
import type { Identity } from '../vocabulary/identity.js';
import { ViewMemoKey, workflowIdFor } from '../vocabulary/messages.js';
import type { ApiDeps } from './deps.js';
import { refusalOf } from './environments.js';
import { configuredRepo } from './repositories.js';
import type { ApprovalPage, DecisionAnswer } from './schemas/approvals.js';
import { bounded, boundedChange, innermostMessage } from './temporal-calls.js';
import { readOnWorker } from './worker-reads.js';
import type * as reads from '../workflows/reads.js';

/*
 * Approvals, denials and overrides of a promotion's gate into an environment: each is an update of
 * `promotion:<repo>:<version>`, whose validator refuses (with a catalogue code) whoever may not
 * decide, before anything is written; that refusal is the HTTP answer.
 */

type Deps = Pick<ApiDeps, 'client' | 'config'>;

function bare(version: string): string {
  return version.replace(/^v/, '');
}

async function describeOrNull(client: Client, workflowId: string): Promise<WorkflowExecutionDescription | null> {
  return bounded(client, () => client.workflow.getHandle(workflowId).describe()).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  });
}

/** The running promotion of the version, or the error that says why there is none to decide on. */
async function runningPromotion(deps: Deps, repoId: string, environment: string, version: string) {
  const repo = configuredRepo(deps.config, repoId);
  const env = environmentOrFail(repo, environment);
  const workflowId = workflowIdFor('promotion', repo.id, bare(version));
  const described = await describeOrNull(deps.client, workflowId);
  if (!described)
    throw new ShipgateError(
      'SHIPGATE_RUN_NOT_FOUND',
      `no promotion of ${bare(version)} of "${repo.id}" (${workflowId})`,
    );
  if (described.status.name !== 'RUNNING') {
    const state = described.memo?.[ViewMemoKey] as PromotionState | undefined;
    throw new ShipgateError(
      'SHIPGATE_NOT_AWAITING_APPROVAL',
      `${workflowId} has ended${state?.outcome ? ` ${state.outcome}` : ''}${state?.reason ? `: ${state.reason}` : ''}`,
    );
  }
  return { env, workflowId, handle: deps.client.workflow.getHandle(workflowId), version: bare(version) };
}

async function sent(client: Client, call: () => Promise<PromotionState>): Promise<PromotionState> {
  try {
    return await boundedChange(client, call);
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}

function answerOf(state: PromotionState, environment: string, workflowId: string): DecisionAnswer {
  const step = state.steps.find((s) => s.environment === environment);
  return {
    environment,
    version: state.version,
    workflowId,
    status: step?.status ?? 'waiting',
    reason: step?.reason ?? null,
    approval: step?.approval ?? null,
  };
}

/** An approval or a denial, sent as the caller. */
export async function decide(
  deps: Deps,
  where: { repoId: string; environment: string; version: string },
  by: Identity,
  decision: 'approve' | 'deny',
  reason: string | null,
): Promise<DecisionAnswer> {
  const { env, workflowId, handle } = await runningPromotion(deps, where.repoId, where.environment, where.version);
  const update = decision === 'approve' ? approveUpdate : denyUpdate;
  const state = await sent(deps.client, () =>
    handle.executeUpdate(update, { args: [{ environment: env.name, by, reason }] }),
  );
  return answerOf(state, env.name, workflowId);
}

/** An admin's override of a gate that holds the version (approval or freeze), recorded as sent through the API. */
export async function overrideGate(
  deps: Deps,
  where: { repoId: string; environment: string; version: string },
  by: Identity,
  gate: Gate,
  reason: string,
): Promise<DecisionAnswer> {
  const { env, workflowId, handle } = await runningPromotion(deps, where.repoId, where.environment, where.version);
  const state = await sent(deps.client, () =>
    handle.executeUpdate(overrideUpdate, {
      args: [{ environment: env.name, gate, by: by.name, reason, role: by.role }],
    }),
  );
  return answerOf(state, env.name, workflowId);
}

/**
 * What to read before approving: where the approvals stand (from the promotion's view, no worker
 * needed) and, read by a worker, the QA report, the changelog entry and the diff since the release
 * before. A part that cannot be read is a warning, never the answer's failure.
 */
export async function approvalPage(
  deps: Deps,
  where: { repoId: string; environment: string; version: string },
): Promise<ApprovalPage> {
  const repo = configuredRepo(deps.config, where.repoId);
  const env = environmentOrFail(repo, where.environment);
  const version = bare(where.version);
  const workflowId = workflowIdFor('promotion', repo.id, version);
  const described = await describeOrNull(deps.client, workflowId);
  if (!described)
    throw new ShipgateError('SHIPGATE_RUN_NOT_FOUND', `no promotion of ${version} of "${repo.id}" (${workflowId})`);
  const state = described.memo?.[ViewMemoKey] as PromotionState | undefined;
  const step = state?.steps.find((s) => s.environment === env.name) ?? null;
  const approval = step?.approval ?? null;
  const warnings: string[] = [];
  const read = await readOnWorker<typeof reads.approvalPageReadWorkflow>(deps, {
    workflowType: 'approvalPageReadWorkflow',
    workflowId: workflowIdFor('approval-page', repo.id, version),
    repoId: repo.id,
    input: { repoId: repo.id, version },
    summary: `Approval page of ${repo.id} ${version}`,
  }).catch((error: unknown) => {
    warnings.push(`the QA report, changelog entry and diff could not be read: ${innermostMessage(error)}`);
    return null;
  });
  warnings.push(...(read?.warnings ?? []));
  const awaiting = step?.status === 'awaiting approval' && approval !== null;
  return {
    repoId: repo.id,
    environment: env.name,
    version,
    tag: read?.tag ?? tagName(version, repo.tagFormat),
    workflowId,
    promotion: {
      status: described.status.name,
      stage: state?.stage ?? 'starting',
      outcome: state?.outcome ?? null,
      reason: state?.reason ?? null,
    },
    step: step ? { status: step.status, reason: step.reason, since: step.since } : null,
    approval,
    mayStillApprove: awaiting ? approval.from.filter((f) => !approval.approvals.some((a) => a.by === f)) : [],
    qaReport: read?.qaReport ?? null,
    changelogEntry: read?.changelogEntry ?? null,
    diff: read?.diff ?? null,
    warnings,
  };
}
