import { counted } from './plural.js';

/** When a deployment counts as healthy: the `health` settings of a repository, in milliseconds. */
export interface HealthRule {
  successes: number;
  failureBudget: number;
  deadlineMs: number;
}

/** What the verdict needs of one health sample. */
export interface HealthSampleOutcome {
  ok: boolean;
  error?: string | null;
}

export type HealthVerdict =
  { verdict: 'continue' } | { verdict: 'healthy'; reason: string } | { verdict: 'unhealthy'; reason: string };

/**
 * The verdict on one verification after its latest sample: `samples` are this verification's,
 * oldest first, and `elapsedMs` runs from its first sample. A sample that settles the rule wins
 * over the deadline, so a service that turns healthy on the last sample is not failed for it.
 */
export function healthVerdict(
  rule: HealthRule,
  samples: readonly HealthSampleOutcome[],
  elapsedMs: number,
): HealthVerdict {
  const last = samples.at(-1);
  if (last?.ok) {
    const consecutive = samples.length - 1 - samples.findLastIndex((s) => !s.ok);
    if (consecutive >= rule.successes) {
      const inARow = consecutive < samples.length ? `, the last ${consecutive} in a row` : '';
      return { verdict: 'healthy', reason: `healthy after ${counted(samples.length, 'check')}${inARow}` };
    }
  } else if (last) {
    const failures = samples.filter((s) => !s.ok).length;
    if (failures > rule.failureBudget) {
      return {
        verdict: 'unhealthy',
        reason: `health check failed ${counted(failures, 'time')} (budget ${rule.failureBudget}): ${last.error ?? 'unhealthy'}`,
      };
    }
  }
  if (elapsedMs >= rule.deadlineMs) {
    return {
      verdict: 'unhealthy',
      reason: `not healthy within ${Math.round(rule.deadlineMs / 1000)}s: ${last?.error ?? 'too few consecutive successes'}`,
    };
  }
  return { verdict: 'continue' };
}
