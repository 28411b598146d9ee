import { describe, expect, it } from 'vitest';
import { parse } from '../../../../cli/commands/status.js';
import { parseInput } from './parse-input.js';

describe('status', () => {
  it('tells the kind of run from the workflow ID', () => {
    expect(parse(parseInput(['qa:shop:abc'], { follow: true }))).toEqual({
      name: 'status',
      id: 'qa:shop:abc',
      kind: 'qa',
      run: null,
      follow: true,
    });
    expect(parse(parseInput(['release:shop']))).toMatchObject({ kind: 'release', follow: false });
    expect(parse(parseInput(['deploy:shop:production']))).toMatchObject({ kind: 'deploy' });
  });

  it('reads an older run of the ID with --run', () => {
    expect(parse(parseInput(['release:shop'], { run: '6f1c2f4e-0d3b-4b8e-9a51-3c2d1e0f9a7b' }))).toMatchObject({
      id: 'release:shop',
      run: '6f1c2f4e-0d3b-4b8e-9a51-3c2d1e0f9a7b',
    });
  });

  it('refuses an ID that names no kind of run', () => {
    expect(() => parse(parseInput(['shop']))).toThrow(
      '"shop" is not a workflow ID: expected qa:…, release:… or deploy:…',
    );
  });
});
