/**
 * A soak's watch of the environment a version soaks in: how often to sample its health, and
 * when the samples say stop. Pure, so that the rule is tested without a workflow.
 */

/** A soak samples its environment at most this many times in all, however long it lasts. */
export const SOAK_SAMPLES = 10;

/**
 * How long to wait between two samples: the soak split into `SOAK_SAMPLES`, but never more often
 * than the health check's own interval, so a long soak costs ten samples (ten activities and
 * timers in the history), not one per second for days.
 */
export function soakSampleEveryMs(soakMs: number, healthIntervalMs: number): number {
  return Math.max(healthIntervalMs, Math.ceil(soakMs / SOAK_SAMPLES), 1);
}

export interface SoakTally {
  samples: number;
  failures: number;
}

/** Null while the soak may go on; the reason it stops once failures exceed the failure budget. */
export function soakVerdict(
  environment: string,
  tally: SoakTally,
  failureBudget: number,
  lastError: string | null,
): string | null {
  if (tally.failures <= failureBudget) return null;
  return `unhealthy in ${environment} during the soak: ${tally.failures} of ${tally.samples} samples failed (last: ${lastError ?? 'failed'}), more than its failure budget of ${failureBudget}`;
}
