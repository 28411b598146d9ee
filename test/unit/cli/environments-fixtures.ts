/** Environments and promotions as the API answers them, at the moments the CLI has to show. */
import type { EnvironmentsView, EnvironmentView, PromotionView } from '../../../cli/api-types.js';
import { at } from './runs.js';

export function environment(overrides: Partial<EnvironmentView> = {}): EnvironmentView {
  return {
    name: 'staging',
    after: null,
    soakMs: 0,
    autoPromote: true,
    workflowId: 'environment:shop:staging',
    started: true,
    live: null,
    lastGood: null,
    pinned: null,
    pending: [],
    ledger: [],
    ledgerTotal: 0,
    updatedAt: at(10, 0),
    freeze: { windows: 0, open: null, coming: [] },
    ...overrides,
  };
}

export function version(v: string, minute: number, verified = true) {
  return { version: v, tag: `v${v}`, since: at(10, minute), report: `deploy-${v}.md`, verified };
}

export function environments(list: EnvironmentView[], overrides: Partial<EnvironmentsView> = {}): EnvironmentsView {
  return { repoId: 'shop', promotes: true, environments: list, warnings: [], ...overrides };
}

type Step = NonNullable<PromotionView['state']>['steps'][number];

export function step(environment: string, status: Step['status'], overrides: Partial<Step> = {}): Step {
  return {
    environment,
    after: environment === 'staging' ? null : 'staging',
    status,
    reason: null,
    since: at(10, 0),
    soakEndsAt: null,
    deployment: null,
    report: null,
    ...overrides,
  };
}

export function promotion(steps: Step[], overrides: Partial<PromotionView> = {}): PromotionView {
  return {
    workflowId: 'promotion:shop:1.2.0',
    runId: 'run-promo-1',
    status: 'RUNNING',
    state: {
      kind: 'promotion',
      repoId: 'shop',
      version: '1.2.0',
      stage: 'promoting',
      startedAt: at(10, 0),
      steps,
      reached: steps.filter((s) => s.status === 'deployed').map((s) => s.environment),
      outcome: null,
      reason: null,
    },
    ...overrides,
  };
}
