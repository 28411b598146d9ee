import { describe, expect, it } from 'vitest';
import { parse, renderPin } from '../../../../cli/commands/pin.js';
import { parse as parseUnpin } from '../../../../cli/commands/unpin.js';
import { parse as parsePromote, renderPromoted } from '../../../../cli/commands/promote.js';
import type { EnvironmentStateView } from '../../../../cli/api-types.js';
import { version } from '../environments-fixtures.js';
import { at } from '../runs.js';
import { parseInput } from './parse-input.js';

describe('pin and unpin', () => {
  it('need --env and --reason', () => {
    expect(parse(parseInput(['shop'], { env: 'production', reason: ' release freeze ' }))).toEqual({
      name: 'pin',
      repo: 'shop',
      environment: 'production',
      reason: 'release freeze',
    });
    expect(parseUnpin(parseInput(['shop'], { env: 'production', reason: 'over' }))).toMatchObject({ name: 'unpin' });
    expect(() => parse(parseInput(['shop'], { reason: 'x' }))).toThrow('"shipgate pin" needs --env <env>');
    expect(() => parseUnpin(parseInput(['shop'], { env: 'production' }))).toThrow(
      '"shipgate unpin" needs --reason "<why>"',
    );
    expect(() => parse(parseInput(['shop'], { env: 'Prod!', reason: 'x' }))).toThrow(
      '--env must be an environment name such as staging or production, got "Prod!"',
    );
    expect(() => parse(parseInput(['shop'], { env: 'production', reason: '   ' }))).toThrow('needs --reason');
  });

  it('shows whether the environment is pinned, and what waits there', () => {
    const state: EnvironmentStateView = {
      kind: 'environment',
      repoId: 'shop',
      environment: 'production',
      live: version('1.1.0', 1),
      lastGood: version('1.1.0', 1),
      pinned: { by: 'ana', reason: 'release freeze', at: at(10, 2), version: '1.1.0', automatic: false },
      pending: [
        {
          requestId: 'r1',
          version: '1.2.0',
          kind: 'promotion',
          trigger: 'manual',
          requestedBy: 'promotion:shop:1.2.0',
          from: 'staging',
          replyTo: null,
          waitIfPinned: true,
          status: 'held',
          requestedAt: at(10, 3),
          deployment: null,
        },
      ],
      ledger: [],
      ledgerTotal: 0,
      pinHistory: [],
      generation: 0,
      updatedAt: at(10, 3),
    };
    expect(renderPin(state)).toEqual([
      'production of shop is pinned by ana since 2025-10-13 10:02: release freeze; 1.1.0 is live',
      '  held until unpinned: 1.2.0',
    ]);
    expect(renderPin({ ...state, pinned: null, pending: [] })).toEqual([
      'production of shop is not pinned; 1.1.0 is live',
    ]);
  });
});

describe('promote', () => {
  it('takes <repo> <version> and --env', () => {
    expect(parsePromote(parseInput(['shop', '1.2.0'], { env: 'production' }))).toEqual({
      name: 'promote',
      repo: 'shop',
      version: '1.2.0',
      environment: 'production',
    });
    expect(() => parsePromote(parseInput(['shop'], { env: 'production' }))).toThrow('needs <repo> <version>');
    expect(() => parsePromote(parseInput(['shop', 'latest'], { env: 'production' }))).toThrow(
      '<version> must be a version like 1.2.3, got "latest"',
    );
    expect(() => parsePromote(parseInput(['shop', '1.2.0', 'x'], { env: 'production' }))).toThrow('got "x" too');
    expect(() => parsePromote(parseInput(['shop', '1.2.0']))).toThrow('"shipgate promote" needs --env <env>');
  });

  it('says where the request stands and what carries it', () => {
    expect(
      renderPromoted('shop', {
        environment: 'production',
        version: '1.2.0',
        workflowId: 'environment:shop:production',
        status: 'queued',
        reason: 'waits for 1.1.0 to finish deploying',
      }),
    ).toEqual([
      'Promotion of 1.2.0 into production: queued (waits for 1.1.0 to finish deploying)',
      '  through environment:shop:production; see it with: shipgate envs shop',
    ]);
  });
});
