/**
 * A release's promotion through the environments: its lines in `shipgate status`, and what
 * `shipgate release --follow` does after the release has handed its version over. A promotion
 * can wait days for a person (an environment that promotes on request, a pinned one); following
 * stops there, and says what would let it go on.
 */
import type { PromotionView } from './api-types.js';
import { asRunView } from './api-types.js';
import { runPath, type RunContext } from './command.js';
import { formatTime } from './follow.js';
import { CliError } from './http.js';
import { EXIT, verdictOf, type Verdict } from './outcome.js';
import { clock, shown } from './render.js';

type Step = NonNullable<PromotionView['state']>['steps'][number];

const MARKS: Partial<Record<Step['status'], string>> = {
  deployed: '✓',
  'not reached': ' ',
  waiting: ' ',
  superseded: '–',
  refused: '✗',
  'rolled-back': '✗',
  abandoned: '✗',
  failed: '✗',
  'awaiting promotion': '!',
  'awaiting approval': '!',
  denied: '✗',
  expired: '✗',
  held: '!',
};

/** The promotion under a release's lines: one line per environment, in promotion order. */
export function promotionLines(
  promotion: PromotionView,
  running: string,
  formatTime: (iso: string) => string,
): string[] {
  const state = promotion.state;
  const outcome = promotion.result?.outcome ?? state?.outcome ?? null;
  const reason = promotion.result?.reason ?? state?.reason ?? promotion.failure ?? null;
  const head = `  promotion ${promotion.workflowId}  ${promotion.status}${outcome ? `  ${outcome}` : ''}`;
  if (!state) return [head];
  const width = Math.max(0, ...state.steps.map((step) => step.environment.length));
  return [
    head,
    ...state.steps.map((step) => {
      const mark = MARKS[step.status] ?? running;
      const detail = [
        step.status,
        step.status === 'soaking' && step.soakEndsAt ? `until ${formatTime(step.soakEndsAt)}` : null,
        step.reason ? `: ${step.reason}` : null,
        step.deployment ? `(${step.deployment})` : null,
      ]
        .filter(Boolean)
        .join(' ')
        .replace(' : ', ': ');
      return `    ${mark} ${step.environment.padEnd(width)}  ${detail}`.trimEnd();
    }),
    ...(state.reached.length ? [`    reached ${state.reached.join(' → ')}`] : []),
    ...(reason && outcome ? [`    ${outcome}: ${reason}`] : []),
  ];
}

export type PromotionVerdict =
  { kind: 'ended'; exitCode: 0 | 1; lines: string[] } | { kind: 'waiting'; exitCode: 0; lines: string[] };

/**
 * Null while the promotion goes on by itself; otherwise why following it stops: it ended, or it
 * waits for a person (a promotion on request, a pinned environment), with the command that helps.
 */
export function promotionVerdict(promotion: PromotionView, repo: string): PromotionVerdict | null {
  const state = promotion.state;
  const outcome = promotion.result?.outcome ?? state?.outcome ?? null;
  const version = state?.version ?? promotion.result?.version ?? '';
  if (promotion.status !== 'RUNNING' || outcome !== null) {
    const reason = promotion.result?.reason ?? state?.reason ?? promotion.failure ?? 'no reason given';
    const ok = outcome === 'promoted';
    return {
      kind: 'ended',
      exitCode: ok ? EXIT.ok : EXIT.failed,
      lines: [`${ok ? '✓' : '✗'} ${promotion.workflowId} ${outcome ?? promotion.status.toLowerCase()}: ${reason}`],
    };
  }
  const awaiting = state?.steps.find((step) => step.status === 'awaiting promotion');
  if (awaiting) {
    return {
      kind: 'waiting',
      exitCode: EXIT.ok,
      lines: [
        `! ${promotion.workflowId} awaits a promotion into ${awaiting.environment}${awaiting.reason ? `: ${awaiting.reason}` : ''}`,
        `  promote it with: shipgate promote ${repo} ${version} --env ${awaiting.environment}`,
      ],
    };
  }
  const approving = state?.steps.find((step) => step.status === 'awaiting approval');
  if (approving) {
    return {
      kind: 'waiting',
      exitCode: EXIT.ok,
      lines: [
        // The step's reason says how many approvals it needs, how many it has, and until when.
        `! ${promotion.workflowId} awaits approval into ${approving.environment}${approving.reason ? `: ${approving.reason}` : ''}`,
        `  read it with: shipgate approval ${repo} ${version} --env ${approving.environment}`,
        `  approve it with: shipgate approve ${repo} ${version} --env ${approving.environment}`,
      ],
    };
  }
  const held = state?.steps.find((step) => step.status === 'held');
  if (held) {
    return {
      kind: 'waiting',
      exitCode: EXIT.ok,
      lines: [
        // The environment's reason already names the pin ("production is pinned (audit); …").
        `! ${promotion.workflowId} is held: ${held.reason ?? `${held.environment} is pinned`}`,
        `  it goes on once unpinned: shipgate unpin ${repo} --env ${held.environment} --reason "…"`,
      ],
    };
  }
  return null;
}

/**
 * A deployment of the promotion that failed and waits for a person's decision (retry, rollback,
 * abandon): following stops there with exit 3 and the commands to send, as for a release.
 */
async function deploymentDecision(context: RunContext, promotion: PromotionView): Promise<Verdict | null> {
  for (const step of promotion.state?.steps ?? []) {
    if (step.status !== 'deploying' || !step.deployment) continue;
    const view = asRunView('deploy', await context.api.get<object>(runPath('deploy', step.deployment)));
    const verdict = verdictOf(view, formatTime);
    if (verdict?.kind === 'awaiting-decision') return verdict;
  }
  return null;
}

/** `staging=deployed production=soaking`: a line is printed each time this changes. */
export function promotionFacts(promotion: PromotionView): string {
  return (promotion.state?.steps ?? [])
    .map((step) => `${step.environment}=${step.status.replace(/ /g, '-')}`)
    .join(' ');
}

/** A restarting API answers 503 for a moment; following rides that out, as `--follow` of a run does. */
const TRANSIENT_FAILURES_TOLERATED = 5;

/**
 * Follows the promotion of a release by reading the release's view (which carries it) every
 * interval, one line per change, until the promotion ends or waits for a person.
 */
export async function followPromotion(
  context: RunContext,
  read: () => Promise<PromotionView | null>,
  repo: string,
  now: () => Date = () => new Date(),
): Promise<number> {
  const { io } = context;
  let said: string | null = null;
  let failures = 0;
  for (;;) {
    let promotion: PromotionView | null;
    try {
      promotion = await read();
      failures = 0;
    } catch (error) {
      const transient = error instanceof CliError && error.details.transient === true;
      if (!transient || ++failures > TRANSIENT_FAILURES_TOLERATED) throw error;
      await new Promise((resolve) => setTimeout(resolve, context.intervalMs));
      continue;
    }
    if (promotion === null) return EXIT.ok;
    const facts = promotionFacts(promotion);
    if (facts !== said && facts !== '' && !context.json)
      io.stdout.write(`${shown([`${clock(now())} ${promotion.workflowId}  ${facts}`]).join('')}\n`);
    said = facts;
    const verdict = promotionVerdict(promotion, repo) ?? (await deploymentDecision(context, promotion));
    if (verdict) {
      if (!context.json) io.stdout.write(`${shown(verdict.lines).join('\n')}\n`);
      return verdict.exitCode;
    }
    await new Promise((resolve) => setTimeout(resolve, context.intervalMs));
  }
}
