import { describe, expect, it } from 'vitest';
import { healthVerdict, type HealthRule } from '../../../domain/health-verdict.js';

const rule: HealthRule = { successes: 2, failureBudget: 2, deadlineMs: 60_000 };
const ok = { ok: true, error: null };
const down = (error: string | null = 'connection refused') => ({ ok: false, error });

describe('healthVerdict', () => {
  it('continues while too few samples are in and the deadline is ahead', () => {
    expect(healthVerdict(rule, [], 0)).toEqual({ verdict: 'continue' });
    expect(healthVerdict(rule, [ok], 1_000)).toEqual({ verdict: 'continue' });
    expect(healthVerdict(rule, [down()], 1_000)).toEqual({ verdict: 'continue' });
  });

  it('is healthy after the configured number of consecutive healthy samples', () => {
    expect(healthVerdict(rule, [ok, ok], 2_000)).toEqual({ verdict: 'healthy', reason: 'healthy after 2 checks' });
    expect(healthVerdict({ ...rule, successes: 1 }, [ok], 0)).toEqual({
      verdict: 'healthy',
      reason: 'healthy after 1 check',
    });
  });

  it('counts only the healthy samples since the last failure', () => {
    expect(healthVerdict(rule, [ok, down(), ok], 3_000)).toEqual({ verdict: 'continue' });
    expect(healthVerdict(rule, [ok, down(), ok, ok], 4_000)).toEqual({
      verdict: 'healthy',
      reason: 'healthy after 4 checks, the last 2 in a row',
    });
  });

  it('is unhealthy once the failures pass the budget, naming the last error', () => {
    expect(healthVerdict(rule, [down(), ok, down()], 3_000)).toEqual({ verdict: 'continue' });
    expect(healthVerdict(rule, [down(), ok, down(), down('HTTP 503')], 4_000)).toEqual({
      verdict: 'unhealthy',
      reason: 'health check failed 3 times (budget 2): HTTP 503',
    });
    expect(healthVerdict({ ...rule, failureBudget: 0 }, [down(null)], 0)).toEqual({
      verdict: 'unhealthy',
      reason: 'health check failed 1 time (budget 0): unhealthy',
    });
  });

  it('is unhealthy at the deadline, with the last error or the missing successes', () => {
    expect(healthVerdict(rule, [ok], 59_999)).toEqual({ verdict: 'continue' });
    expect(healthVerdict(rule, [ok], 60_000)).toEqual({
      verdict: 'unhealthy',
      reason: 'not healthy within 60s: too few consecutive successes',
    });
    expect(healthVerdict(rule, [down('HTTP 502')], 61_000)).toEqual({
      verdict: 'unhealthy',
      reason: 'not healthy within 60s: HTTP 502',
    });
    expect(healthVerdict({ ...rule, deadlineMs: 1_500 }, [ok], 1_500)).toEqual({
      verdict: 'unhealthy',
      reason: 'not healthy within 2s: too few consecutive successes',
    });
  });

  it('lets a sample that meets the rule win over a deadline that has just passed', () => {
    expect(healthVerdict(rule, [ok, ok], 90_000)).toEqual({ verdict: 'healthy', reason: 'healthy after 2 checks' });
    expect(healthVerdict(rule, [down(), down(), down('HTTP 500')], 90_000)).toEqual({
      verdict: 'unhealthy',
      reason: 'health check failed 3 times (budget 2): HTTP 500',
    });
  });
});
