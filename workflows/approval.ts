import { condition } from '@temporalio/workflow';
import type { EnvironmentPolicy } from '../activities/pinning.js';
import {
  approvalDecided,
  approvalRefusal,
  approvalRequestOf,
  approvalWaitReason,
  approvers,
  isRefusal,
} from '../domain/approval.js';
import type { ApprovalProgress, ApprovalRequest, OverrideRequest } from '../vocabulary/environments.js';
import type { Role } from '../vocabulary/identity.js';
import { workflowFailure } from './failure.js';
import type { End, GateContext, PromotionGate } from './gates.js';
import { nowIso } from './run-state.js';

/**
 * The approval gate of a promotion: for an environment with `approval`, the version waits (a
 * durable condition, no worker busy) until enough different people allowed to approve have, one
 * denies, an admin overrides, or the wait expires.
 */
export class ApprovalGate implements PromotionGate {
  constructor(private readonly run: GateContext) {}

  async pass(env: EnvironmentPolicy): Promise<End | null> {
    const policy = env.approval;
    if (!policy) return null;
    const { version } = this.run.input;
    const step = this.run.step(env.name);
    const progress: ApprovalProgress = {
      required: policy.required,
      from: [...policy.from],
      notAuthor: policy.notAuthor,
      expiresAt: new Date(Date.now() + policy.expiresMs).toISOString(),
      approvals: [],
      denial: null,
      override: null,
    };
    step.approval = progress;
    this.run.move(step, 'awaiting approval', approvalWaitReason(progress));
    this.run.notifier.emit('approval.awaiting', {
      summary: `${version} waits for ${policy.required} approval${policy.required === 1 ? '' : 's'} into ${env.name}`,
      version,
      environment: env.name,
      reason: approvalWaitReason(progress),
      details: { required: policy.required, from: [...policy.from], expiresAt: progress.expiresAt },
    });
    // A durable timer: nothing runs while people decide, and a lost worker costs nothing.
    const decided = await condition(() => approvalDecided(progress), policy.expiresMs);
    if (progress.override) {
      const { by, reason, via } = progress.override;
      this.run.move(step, 'waiting', `approval overridden by ${by}${via === 'signal' ? ' (signal)' : ''}: ${reason}`);
      return null;
    }
    if (progress.denial) {
      const { by, reason } = progress.denial;
      const why = `${by} denied ${version} into ${env.name}: ${reason ?? 'no reason given'}`;
      this.run.move(step, 'denied', why);
      return { outcome: 'denied', reason: why };
    }
    if (decided) {
      this.run.move(step, 'waiting', `approved by ${approvers(progress).join(', ')}`);
      return null;
    }
    const got = approvers(progress).length;
    const why = `${version} had ${got} of ${progress.required} approval${progress.required === 1 ? '' : 's'} into ${env.name} when the wait expired at ${progress.expiresAt}`;
    this.run.move(step, 'expired', why);
    return { outcome: 'expired', reason: why };
  }

  /** The `approve` update's validator: throws a workflow failure with the reason it refuses. */
  mayApprove(request: ApprovalRequest): void {
    this.check(request, 'approve');
  }

  approve(request: ApprovalRequest): void {
    this.decide(request, 'approve');
  }

  mayDeny(request: ApprovalRequest): void {
    const checked = this.check(request, 'deny');
    if (checked.reason === null)
      throw workflowFailure('SHIPGATE_BAD_REQUEST', `a denial says why: give the reason ${checked.by.name} denies it`);
  }

  deny(request: ApprovalRequest): void {
    this.decide(request, 'deny');
  }

  /** Whether an override of the approval into `environment` would take effect now. */
  awaits(environment: string): boolean {
    const step = this.run.state.steps.find((s) => s.environment === environment);
    return step?.status === 'awaiting approval' && step.approval !== undefined;
  }

  override(request: OverrideRequest, role: Role, via: 'api' | 'signal'): void {
    const step = this.run.step(request.environment);
    if (!step.approval || !this.awaits(request.environment)) return;
    step.approval.override = {
      by: typeof request.by === 'string' && request.by !== '' ? request.by : 'unnamed',
      role,
      reason: typeof request.reason === 'string' && request.reason !== '' ? request.reason : 'no reason given',
      at: nowIso(),
      via,
    };
    this.run.show();
  }

  /** The request as sent, refused with its reason when it is malformed or the rules refuse it. */
  private check(sent: unknown, decision: 'approve' | 'deny'): ApprovalRequest {
    const request = approvalRequestOf(sent);
    if (isRefusal(request)) throw workflowFailure(request.code, request.message);
    const refusal = approvalRefusal(
      {
        version: this.run.input.version,
        steps: this.run.state.steps,
        startedBy: this.run.input.startedBy,
        authors: this.run.input.authors,
      },
      request,
      decision,
    );
    if (refusal) throw workflowFailure(refusal.code, refusal.message);
    return request;
  }

  private decide(sent: ApprovalRequest, decision: 'approve' | 'deny'): void {
    // The validator ran just before, in the same workflow task; this only reads the shape again.
    const request = approvalRequestOf(sent);
    if (isRefusal(request)) return;
    const step = this.run.step(request.environment);
    const progress = step.approval;
    if (!progress || step.status !== 'awaiting approval') return;
    const word = {
      by: request.by.name,
      role: request.by.role,
      reason: request.reason,
      at: nowIso(),
      via: 'api' as const,
    };
    if (decision === 'deny') progress.denial = word;
    else progress.approvals.push(word);
    this.run.move(step, 'awaiting approval', approvalWaitReason(progress));
  }
}
