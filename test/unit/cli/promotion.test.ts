import { describe, expect, it } from 'vitest';
import { asRunView } from '../../../cli/api-types.js';
import type { RunContext } from '../../../cli/command.js';
import { CliError } from '../../../cli/http.js';
import { followPromotion, promotionLines, promotionVerdict } from '../../../cli/promotion.js';
import { renderRun } from '../../../cli/render-run.js';
import { promotion, step } from './environments-fixtures.js';
import { at, awaitingDecision, deployRun, releaseEnded } from './runs.js';

const time = (iso: string) => iso.slice(11, 16);

describe('promotionLines', () => {
  it('shows one line per environment: where the version is, and why', () => {
    const lines = promotionLines(
      promotion([
        step('staging', 'deployed', { deployment: 'deploy:shop:staging' }),
        step('production', 'soaking', { soakEndsAt: '2025-10-13T10:30:00.000Z', reason: 'staging healthy so far' }),
      ]),
      '·',
      time,
    );
    expect(lines).toEqual([
      '  promotion promotion:shop:1.2.0  RUNNING',
      '    ✓ staging     deployed (deploy:shop:staging)',
      '    · production  soaking until 10:30: staging healthy so far',
      '    reached staging',
    ]);
  });

  it("is part of a release's status, from the view beside its state", () => {
    const body = {
      ...releaseEnded('released', 'promotion:shop:1.2.0 deploys it to staging, then production'),
      state: { promotion: { workflowId: 'promotion:shop:1.2.0' } },
      promotion: promotion([step('staging', 'deployed'), step('production', 'awaiting promotion')]),
    };
    const view = asRunView('release', body);
    const text = renderRun(view, { running: '·', formatTime: time });
    expect(text).toContain('    ! production  awaiting promotion');
    // A state naming the promotion by ID alone renders nothing of its own.
    const bare = asRunView('release', { ...body, promotion: undefined });
    expect(renderRun(bare, { running: '·', formatTime: time }).join('\n')).not.toContain('promotion promotion:');
  });
});

describe('promotionVerdict', () => {
  it('stops while it awaits approval, with the count from the step and the commands that help', () => {
    const reason = 'needs 2 approvals from approver, admin; 1 so far (alice); expires at 2025-10-14T10:00:00.000Z';
    const waiting = promotion([step('staging', 'deployed'), step('production', 'awaiting approval', { reason })]);
    expect(promotionVerdict(waiting, 'shop')).toEqual({
      kind: 'waiting',
      exitCode: 0,
      lines: [
        `! promotion:shop:1.2.0 awaits approval into production: ${reason}`,
        '  read it with: shipgate approval shop 1.2.0 --env production',
        '  approve it with: shipgate approve shop 1.2.0 --env production',
      ],
    });
    expect(promotionLines(waiting, '·', time)[2]).toBe(`    ! production  awaiting approval: ${reason}`);
  });

  it('goes on while the promotion moves by itself', () => {
    expect(
      promotionVerdict(promotion([step('staging', 'deploying'), step('production', 'waiting')]), 'shop'),
    ).toBeNull();
  });

  it('stops when it waits for a person, saying what would let it go on', () => {
    expect(
      promotionVerdict(promotion([step('staging', 'deployed'), step('production', 'awaiting promotion')]), 'shop'),
    ).toEqual({
      kind: 'waiting',
      exitCode: 0,
      lines: [
        '! promotion:shop:1.2.0 awaits a promotion into production',
        '  promote it with: shipgate promote shop 1.2.0 --env production',
      ],
    });
    expect(
      promotionVerdict(
        promotion([
          step('staging', 'deployed'),
          step('production', 'held', { reason: 'production is pinned (audit); it deploys once unpinned' }),
        ]),
        'shop',
      )?.lines,
    ).toEqual([
      '! promotion:shop:1.2.0 is held: production is pinned (audit); it deploys once unpinned',
      '  it goes on once unpinned: shipgate unpin shop --env production --reason "…"',
    ]);
  });

  it('ends with the outcome: promoted is success, anything else is not', () => {
    const ended = (outcome: 'promoted' | 'stopped', reason: string) =>
      promotion([], {
        status: 'COMPLETED',
        result: { repoId: 'shop', version: '1.2.0', outcome, reached: ['staging'], reason },
      });
    expect(promotionVerdict(ended('promoted', 'live in staging and production'), 'shop')).toMatchObject({
      exitCode: 0,
      lines: ['✓ promotion:shop:1.2.0 promoted: live in staging and production'],
    });
    expect(promotionVerdict(ended('stopped', 'rolled-back in production'), 'shop')).toMatchObject({
      exitCode: 1,
      lines: ['✗ promotion:shop:1.2.0 stopped: rolled-back in production'],
    });
  });
});

describe('followPromotion', () => {
  function context(): { context: RunContext; out: string[] } {
    const out: string[] = [];
    const io = { stdout: { write: (chunk: string) => out.push(chunk) }, stderr: { write: () => true }, env: {} };
    return { context: { api: {} as RunContext['api'], io, json: false, intervalMs: 1 }, out };
  }

  it('prints a line per change until the promotion waits for a person, riding out a restarting API', async () => {
    const { context: ctx, out } = context();
    const reads = [
      promotion([step('staging', 'deploying'), step('production', 'waiting')]),
      'blip' as const,
      promotion([step('staging', 'deploying'), step('production', 'waiting')]),
      promotion([step('staging', 'deployed'), step('production', 'soaking')]),
      promotion([step('staging', 'deployed'), step('production', 'awaiting promotion')]),
    ];
    const code = await followPromotion(
      ctx,
      async () => {
        const next = reads.shift()!;
        if (next === 'blip') throw new CliError('503', { transient: true });
        return next;
      },
      'shop',
      () => new Date(at(10, 0)),
    );
    expect(code).toBe(0);
    expect(
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^\d\d:\d\d:\d\d /, '')),
    ).toEqual([
      'promotion:shop:1.2.0  staging=deploying production=waiting',
      'promotion:shop:1.2.0  staging=deployed production=soaking',
      'promotion:shop:1.2.0  staging=deployed production=awaiting-promotion',
      '! promotion:shop:1.2.0 awaits a promotion into production',
      '  promote it with: shipgate promote shop 1.2.0 --env production',
    ]);
  });

  it('ends at once for a release without a promotion', async () => {
    const { context: ctx, out } = context();
    expect(await followPromotion(ctx, async () => null, 'shop')).toBe(0);
    expect(out).toEqual([]);
  });
});

describe('followPromotion with a deployment that awaits a decision', () => {
  it('stops with 3 and the commands to send, as following a release does', async () => {
    const out: string[] = [];
    const io = { stdout: { write: (chunk: string) => out.push(chunk) }, stderr: { write: () => true }, env: {} };
    const asked: string[] = [];
    const api = {
      get: async (path: string) => {
        asked.push(path);
        return { ...deployRun(awaitingDecision()), state: awaitingDecision() };
      },
    } as unknown as RunContext['api'];
    const code = await followPromotion(
      { api, io, json: false, intervalMs: 1 },
      async () =>
        promotion([
          step('staging', 'deployed'),
          step('production', 'deploying', { deployment: 'deploy:shop:production' }),
        ]),
      'shop',
    );
    expect(code).toBe(3);
    expect(asked).toEqual(['/deployments/deploy%3Ashop%3Aproduction']);
    expect(out.join('')).toContain('choose one of:');
  });
});
