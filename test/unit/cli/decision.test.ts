import { describe, expect, it } from 'vitest';
import * as abandon from '../../../cli/commands/abandon.js';
import * as retry from '../../../cli/commands/retry.js';
import * as rollback from '../../../cli/commands/rollback.js';
import { parseInput } from './commands/parse-input.js';

describe('the decision commands', () => {
  it('answer a release or a deployment, each under its own verb', () => {
    for (const [verb, command] of [
      ['retry', retry],
      ['rollback', rollback],
      ['abandon', abandon],
    ] as const) {
      expect(command.spec.synopsis).toBe(`${verb} <release-id|deploy-id>`);
      expect(command.parse(parseInput(['release:shop']))).toEqual({ name: verb, id: 'release:shop', kind: 'release' });
      expect(command.parse(parseInput(['deploy:shop:production']))).toEqual({
        name: verb,
        id: 'deploy:shop:production',
        kind: 'deploy',
      });
      expect(() => command.parse(parseInput(['qa:shop:abc']))).toThrow(
        '"qa:shop:abc" is not a release or deployment ID',
      );
    }
  });
});
