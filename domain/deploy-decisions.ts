import type { DeployDecision } from '../vocabulary/messages.js';

/** The attempt a deployment failed last: of the release itself, or of the rollback to the version before. */
export interface FailedAttempt {
  kind: 'deploy' | 'rollback';
  version: string;
  reason: string;
  /** The deploy command succeeded, so the version is in place and only its health check failed. */
  deployed: boolean;
}

/** "deploying 1.3.0 failed: …" or "the rollback to 1.2.1 failed: …": which of the two, never both. */
export function describeFailure(failed: FailedAttempt): string {
  return `${failed.kind === 'deploy' ? `deploying ${failed.version}` : `the rollback to ${failed.version}`} failed: ${failed.reason}`;
}

/** The reason an abandoned deployment ends with: what failed last, and what stays live when shipgate knows. */
export function abandonedReason(failed: FailedAttempt): string {
  return `abandoned by an operator after ${describeFailure(failed)}${failed.deployed ? `; ${failed.version} is left live, failing its health check` : ''}`;
}

/**
 * What each decision the operator may send would do now. Retry always deploys the release again,
 * even after a failed rollback; rollback goes to the same target every time.
 */
export function decisionEffects(input: {
  version: string;
  rollbackTo: string | null;
  failed: FailedAttempt;
  allowed: readonly DeployDecision[];
}): Partial<Record<DeployDecision, string>> {
  const effects: Record<DeployDecision, string | null> = {
    retry: `deploy ${input.version} again`,
    rollback: input.rollbackTo && `roll back to ${input.rollbackTo}${input.failed.kind === 'rollback' ? ' again' : ''}`,
    abandon: input.failed.deployed
      ? `leave ${input.failed.version} live, failing its health check`
      : `stop, with the environment as the failed deploy command of ${input.failed.version} left it`,
  };
  return Object.fromEntries(input.allowed.flatMap((d) => (effects[d] ? [[d, effects[d]]] : [])));
}

/** The reason a rolled-back deployment ends with: the rollback that worked, and the release's own failure that caused it. */
export function rolledBackReason(input: {
  to: string;
  health: string;
  rollbacks: number;
  deployFailure: FailedAttempt;
}): string {
  const nth = input.rollbacks > 1 ? `, at the ${ordinal(input.rollbacks)} rollback` : '';
  return `rolled back to ${input.to} (${input.health}${nth}) after ${describeFailure(input.deployFailure)}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
