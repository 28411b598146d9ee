import { describe, expect, it } from 'vitest';
import { viewChanges } from '../../../domain/run-events.js';

const step = (name: string, finishedAt: string | null = null, summary: string | null = null) => ({
  name,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt,
  summary,
});
const sample = (at: string, ok: boolean) => ({
  at,
  status: ok ? 200 : 503,
  latencyMs: 3,
  version: null,
  ok,
  error: null,
});

describe('viewChanges', () => {
  it('tells a first view as its stage, then each step started and finished', () => {
    expect(viewChanges(null, { stage: 'qa', steps: [step('pin', 'T1', 'on w1'), step('qa')] })).toEqual([
      { type: 'stage', stage: 'qa', previous: null },
      {
        type: 'step',
        state: 'started',
        step: 'pin',
        startedAt: step('pin').startedAt,
        finishedAt: null,
        summary: null,
      },
      {
        type: 'step',
        state: 'finished',
        step: 'pin',
        startedAt: step('pin').startedAt,
        finishedAt: 'T1',
        summary: 'on w1',
      },
      { type: 'step', state: 'started', step: 'qa', startedAt: step('qa').startedAt, finishedAt: null, summary: null },
    ]);
  });

  it('says nothing when nothing it streams changed', () => {
    const view = { stage: 'qa', steps: [step('qa')], samples: [sample('a', true)] };
    expect(viewChanges(view, { ...view, steps: [step('qa')], samples: [sample('a', true)] })).toEqual([]);
  });

  it('finishes a step that was running, with its summary, and starts the next', () => {
    const changes = viewChanges(
      { stage: 'qa', steps: [step('qa')] },
      { stage: 'version', steps: [step('qa', 'T2', 'test-pass'), step('version')] },
    );
    expect(changes.map((c) => (c.type === 'step' ? `${c.state} ${c.step} ${c.summary}` : c.type))).toEqual([
      'stage',
      'finished qa test-pass',
      'started version null',
    ]);
  });

  it('reports new health samples even when the view keeps only the newest ones', () => {
    const changes = viewChanges(
      { samples: [sample('1', false), sample('2', false)] },
      { samples: [sample('2', false), sample('3', true)] },
    );
    expect(changes).toEqual([{ type: 'health', sample: sample('3', true) }]);
  });

  it('reports a decision awaited once, and each decision taken', () => {
    const waiting = { awaitingDecision: true, decisionsAllowed: ['retry', 'abandon'] as const, decisionDeadline: 'D' };
    const first = viewChanges(
      { awaitingDecision: false },
      { ...waiting, decisionsAllowed: [...waiting.decisionsAllowed] },
    );
    expect(first).toEqual([
      { type: 'decision', state: 'awaited', allowed: ['retry', 'abandon'], deadline: 'D', failedAttempt: null },
    ]);
    expect(viewChanges({ awaitingDecision: true }, { awaitingDecision: true })).toEqual([]);
    expect(
      viewChanges(
        { awaitingDecision: true, decisions: [] },
        { awaitingDecision: false, decisions: [{ decision: 'retry', at: 'T3' }] },
      ),
    ).toEqual([{ type: 'decision', state: 'taken', decision: 'retry', at: 'T3' }]);
  });
});
