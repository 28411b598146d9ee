import type { EnvironmentPolicy } from '../activities/pinning.js';
import type { ApprovalRequest, OverrideRequest } from '../vocabulary/environments.js';
import type { Role } from '../vocabulary/identity.js';
import type { End, GateContext, PromotionGate } from './gates.js';

/**
 * The approval gate of a promotion: for an environment with `approval`, the version waits (a
 * durable condition, no worker busy) until enough different people allowed to approve have, one
 * denies, an admin overrides, or the wait expires.
 */
export class ApprovalGate implements PromotionGate {
  constructor(private readonly run: GateContext) {}

  async pass(env: EnvironmentPolicy): Promise<End | null> {
    if (!env.approval) return null;
    void this.run;
    return null;
  }

  /** The `approve` update's validator: throws a workflow failure with the reason it refuses. */
  mayApprove(request: ApprovalRequest): void {
    void request;
  }

  approve(request: ApprovalRequest): void {
    void request;
  }

  mayDeny(request: ApprovalRequest): void {
    void request;
  }

  deny(request: ApprovalRequest): void {
    void request;
  }

  /** Whether an override of the approval into `environment` would take effect now. */
  awaits(environment: string): boolean {
    void environment;
    return false;
  }

  override(request: OverrideRequest, role: Role, via: 'api' | 'signal'): void {
    void request;
    void role;
    void via;
  }
}
