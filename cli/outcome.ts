/** When following a run ends, what it came to, and which exit code says so to a script. */
import type { RunView } from './api-types.js';
import type { QaOutcome, ReleaseDecision as Decision, ReleaseOutcome } from '../vocabulary/messages.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, awaitingDecision: 3 } as const;

const SUCCESSFUL_OUTCOMES: ReadonlySet<string> = new Set<ReleaseOutcome | QaOutcome>([
  'released',
  'deployed',
  'test-pass',
  'nothing-to-release',
]);

export interface AwaitedDecision {
  /** The followed run: a release passes a decision on to its deployment. */
  sendTo: string;
  version: string | null;
  environment: string | null;
  allowed: Decision[];
  deadline: string | null;
  lastError: string | null;
  /** The attempt that failed last, in words; null from a worker that does not say. */
  failure: string | null;
  effects: Partial<Record<Decision, string>>;
  /** Set when a publish step waits, not a deployment: its name. */
  publishStep?: string;
}

export type Verdict =
  | { kind: 'ended'; exitCode: 0 | 1; lines: string[] }
  | { kind: 'awaiting-decision'; exitCode: 3; decision: AwaitedDecision; lines: string[] };

/** A paused run resumes by itself later, so following it goes on. */
export function isOpen(status: string): boolean {
  return status === 'RUNNING' || status === 'PAUSED';
}

export function outcomeOf(run: RunView): string | null {
  return run.result?.outcome ?? run.outcome ?? null;
}

export function awaitedDecision(run: RunView): AwaitedDecision | null {
  if (!isOpen(run.status) || run.kind === 'qa') return null;
  const publishing = run.kind === 'release' ? run.publish?.awaiting : null;
  if (publishing)
    return {
      sendTo: run.workflowId,
      version: run.version ?? null,
      environment: null,
      allowed: publishing.allowed,
      deadline: publishing.deadline,
      lastError: publishing.error,
      failure: `publish step ${publishing.step} failed: ${publishing.error}`,
      effects: {
        retry: `run publish step ${publishing.step} again (its check keeps the version from being published twice)`,
        skip: 'record the step as skipped, with your reason, and go on',
        abandon: `end the release publish-abandoned: nothing is deployed, ${run.tag ?? 'the tag'} stays pushed`,
      },
      publishStep: publishing.step,
    };
  const deploy = run.kind === 'release' ? (run.deploy?.state ?? null) : run;
  if (deploy?.awaitingDecision !== true) return null;
  return {
    sendTo: run.workflowId,
    version: deploy.version ?? null,
    environment: deploy.environment ?? null,
    allowed: deploy.decisionsAllowed ?? [],
    deadline: deploy.decisionDeadline ?? null,
    lastError: deploy.lastError ?? null,
    failure: deploy.failedAttempt ?? null,
    effects: deploy.decisionEffects ?? {},
  };
}

/** Null while the run goes on by itself; otherwise how following it ends. */
export function verdictOf(run: RunView, formatTime: (iso: string) => string): Verdict | null {
  const decision = awaitedDecision(run);
  if (decision)
    return {
      kind: 'awaiting-decision',
      exitCode: EXIT.awaitingDecision,
      decision,
      lines: decisionLines(run.workflowId, decision, formatTime),
    };
  if (isOpen(run.status)) return null;
  const outcome = outcomeOf(run);
  if (run.status !== 'COMPLETED' || outcome === null) {
    return {
      kind: 'ended',
      exitCode: EXIT.failed,
      lines: [`✗ ${run.workflowId} ${run.status}: ${run.failure ?? 'no reason given'}`],
    };
  }
  const ok = SUCCESSFUL_OUTCOMES.has(outcome);
  const version = run.kind === 'qa' ? null : (run.result?.version ?? run.version ?? null);
  const reason = run.result?.reason ?? run.reason ?? null;
  const head = `${ok ? '✓' : '✗'} ${run.workflowId} ${outcome}${version && outcome !== 'nothing-to-release' ? ` ${version}` : ''}`;
  return { kind: 'ended', exitCode: ok ? EXIT.ok : EXIT.failed, lines: [reason ? `${head}: ${reason}` : head] };
}

function decisionLines(workflowId: string, decision: AwaitedDecision, formatTime: (iso: string) => string): string[] {
  const what = [decision.version, decision.environment ? `to ${decision.environment}` : null].filter(Boolean).join(' ');
  // A deployment that names its failure may be failing its rollback, not the release: say which.
  const head = decision.failure
    ? `awaits a decision${decision.environment ? ` in ${decision.environment}` : ''}: ${decision.failure}`
    : `awaits a decision: deploying ${what || 'the release'} failed${decision.lastError ? `: ${decision.lastError}` : ''}`;
  const commands = decision.allowed.map(
    (choice) => `shipgate ${choice} ${decision.sendTo}${choice === 'skip' ? ' --reason "…"' : ''}`,
  );
  const width = Math.max(0, ...commands.map((command) => command.length));
  return [
    `! ${workflowId} ${head}`,
    `  choose one of:`,
    ...decision.allowed.map((choice, i) => {
      const effect = decision.effects[choice];
      return effect ? `    ${commands[i]!.padEnd(width)}  ${effect}` : `    ${commands[i]}`;
    }),
    ...(decision.deadline
      ? [
          `  without a decision by ${formatTime(decision.deadline)}, ${decision.publishStep ? 'the release abandons its publish step' : 'the deployment ends as failed'}`,
        ]
      : []),
  ];
}
