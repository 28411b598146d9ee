import { describe, expect, it } from 'vitest';
import { parse } from '../../../../cli/commands/deployments.js';
import { parseInput } from './parse-input.js';

describe('deployments', () => {
  it('takes --limit as a whole number from 1 to 999, as the API does', () => {
    expect(parse(parseInput(['shop']))).toEqual({ name: 'deployments', repo: 'shop', limit: null });
    expect(parse(parseInput(['shop'], { limit: '1' }))).toMatchObject({ limit: 1 });
    expect(parse(parseInput(['shop'], { limit: '999' }))).toMatchObject({ limit: 999 });
    for (const bad of ['0', '1000', '05', '-1', '2.5', 'ten', '']) {
      expect(() => parse(parseInput(['shop'], { limit: bad }))).toThrow(`--limit must be a whole number from 1 to 999, got "${bad}"`);
    }
  });
});
