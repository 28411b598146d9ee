import { condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EnvironmentPolicy } from '../activities/pinning.js';
import type { OverrideRequest } from '../vocabulary/environments.js';
import type { Role } from '../vocabulary/identity.js';
import { unpinned } from './activity-options.js';
import type { End, GateContext, PromotionGate } from './gates.js';
import { nowIso } from './run-state.js';

const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 5 }));

/**
 * When the worker's clock runs a little behind the workflow's, the window it answers may still
 * be open when the timer fired; the next look waits at least this long, so that is no busy loop.
 */
const LEAST_WAIT_MS = 1_000;

/**
 * The freeze gate of a promotion: right before the version is asked into an environment with
 * freeze windows, it asks whether one is open (at that moment, not when the release started) and
 * waits, `frozen`, on a durable timer until it ends; then asks again (windows may follow one
 * another). An admin's override lets it go on at once, recorded with who and why.
 */
export class FreezeGate implements PromotionGate {
  /** The environments an admin let the version into despite a freeze. */
  private readonly overridden = new Set<string>();

  constructor(private readonly run: GateContext) {}

  async pass(env: EnvironmentPolicy): Promise<End | null> {
    // Only where the policy says so: a promotion pinned before freeze windows asks nothing new.
    if (!env.freezes) return null;
    const step = this.run.step(env.name);
    while (!this.overridden.has(env.name)) {
      const { open } = await shared.freezeOf.executeWithOptions(
        { summary: `is ${env.name} frozen for ${this.run.input.version}` },
        [{ repoId: this.run.input.repoId, environment: env.name }],
      );
      if (!open || this.overridden.has(env.name)) break;
      step.freeze = { from: open.from, until: open.until, reason: open.reason };
      this.run.move(
        step,
        'frozen',
        `frozen until ${open.until}${open.reason ? ` (${open.reason})` : ''}; it goes on by itself then`,
      );
      const left = Math.max(Date.parse(open.until) - Date.now(), LEAST_WAIT_MS);
      await condition(() => this.overridden.has(env.name), left);
    }
    if (step.freeze) {
      step.freeze = null;
      this.run.show();
    }
    return null;
  }

  /** Whether an override of a freeze of `environment` would take effect now. */
  awaits(environment: string): boolean {
    return this.run.step(environment)?.status === 'frozen' && !this.overridden.has(environment);
  }

  override(request: OverrideRequest, role: Role, via: 'api' | 'signal'): void {
    const step = this.run.step(request.environment);
    step.freezeOverride = { by: request.by, role, reason: request.reason ?? null, at: nowIso(), via };
    this.overridden.add(request.environment);
    this.run.move(
      step,
      'frozen',
      `${request.by} overrode the freeze${request.reason ? `: ${request.reason}` : ''}; it goes on now`,
    );
  }
}
