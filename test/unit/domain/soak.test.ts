import { describe, expect, it } from 'vitest';
import { SOAK_SAMPLES, soakSampleEveryMs, soakVerdict } from '../../../domain/soak.js';

describe('soakSampleEveryMs', () => {
  it('splits a long soak into at most ten samples', () => {
    expect(soakSampleEveryMs(86_400_000, 1_000)).toBe(8_640_000);
    expect(Math.floor(86_400_000 / soakSampleEveryMs(86_400_000, 1_000))).toBe(SOAK_SAMPLES);
  });

  it('never samples more often than the health check does', () => {
    expect(soakSampleEveryMs(2_000, 500)).toBe(500);
    expect(soakSampleEveryMs(0, 200)).toBe(200);
  });

  it('waits at least a millisecond, even with neither', () => {
    expect(soakSampleEveryMs(0, 0)).toBe(1);
  });
});

describe('soakVerdict', () => {
  it('goes on while the failures stay within the budget', () => {
    expect(soakVerdict('staging', { samples: 5, failures: 2 }, 2, 'HTTP 500')).toBeNull();
  });

  it('stops once they exceed it, saying where, how many and the last error', () => {
    expect(soakVerdict('staging', { samples: 6, failures: 3 }, 2, 'HTTP 500')).toBe(
      'unhealthy in staging during the soak: 3 of 6 samples failed (last: HTTP 500), more than its failure budget of 2',
    );
  });
});
