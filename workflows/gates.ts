import type { Notifier } from './notify.js';
import type { EnvironmentPolicy } from '../activities/pinning.js';
import type { PromotionInput, PromotionOutcome, PromotionState, PromotionStep } from '../vocabulary/environments.js';

/** How one branch of the promotion ended, when it ended before the last environment. */
export interface End {
  outcome: Exclude<PromotionOutcome, 'promoted' | 'cancelled'>;
  reason: string;
}

/**
 * What a gate of the promotion (approval, freeze) may do to it: read its input and state, move a
 * step (which publishes the view and the search attributes), and show the state again after it
 * changed a step's details without moving it.
 */
export interface GateContext {
  readonly input: PromotionInput;
  readonly state: PromotionState;
  step(environment: string): PromotionStep;
  move(step: PromotionStep, status: PromotionStep['status'], reason: string | null): void;
  show(): void;
  readonly notifier: Notifier;
}

/**
 * One gate a version passes right before it is asked into an environment (after the soak and the
 * promotion request). `pass` resolves null once the version may go on, or how the branch ends.
 */
export interface PromotionGate {
  pass(env: EnvironmentPolicy): Promise<End | null>;
}
