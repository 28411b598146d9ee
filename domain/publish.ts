/**
 * The pure rules of a release's publish steps: the placeholders a step's argv may hold, when a
 * `check` says a version is already published, and which decisions a waiting publish accepts.
 */
import { PUBLISH_DECISIONS, type PublishDecision } from '../vocabulary/messages.js';

/**
 * The placeholders a publish step's `command`, `check` and `artifact` may contain. shipgate
 * substitutes them itself, in each argv entry, and never through a shell; they are the same
 * values the step finds in its environment.
 */
export const PUBLISH_PLACEHOLDERS = [
  'SHIPGATE_REPO',
  'SHIPGATE_VERSION',
  'SHIPGATE_TAG',
  'SHIPGATE_SHA',
  'SHIPGATE_PREVIOUS_VERSION',
] as const;
export type PublishPlaceholder = (typeof PUBLISH_PLACEHOLDERS)[number];
export type PublishValues = Record<PublishPlaceholder, string>;

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The values of the placeholders for one release: the deploy command's variables, the same names. */
export function publishValues(release: {
  repoId: string;
  version: string;
  tag: string;
  sha: string;
  previousVersion: string | null;
}): PublishValues {
  return {
    SHIPGATE_REPO: release.repoId,
    SHIPGATE_VERSION: release.version,
    SHIPGATE_TAG: release.tag,
    SHIPGATE_SHA: release.sha,
    SHIPGATE_PREVIOUS_VERSION: release.previousVersion ?? '',
  };
}

/** The placeholders a text names that shipgate does not know, each once, in order; empty when all are known. */
export function unknownPlaceholders(text: string): string[] {
  const unknown: string[] = [];
  for (const [, name] of text.matchAll(PLACEHOLDER))
    if (!(PUBLISH_PLACEHOLDERS as readonly string[]).includes(name!) && !unknown.includes(name!)) unknown.push(name!);
  return unknown;
}

/**
 * The text with every placeholder replaced by its value. One pass: a value that itself reads
 * `${…}` is left as it is, so what a version or a SHA holds can never name another placeholder.
 * An unknown placeholder is refused when the configuration loads; one that got here stays as written.
 */
export function substitutePlaceholders(text: string, values: PublishValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name as PublishPlaceholder] : whole,
  );
}

/** Each argv entry substituted on its own: an entry stays one argument, whatever its value holds. */
export function substituteArgv(argv: readonly string[], values: PublishValues): string[] {
  return argv.map((entry) => substitutePlaceholders(entry, values));
}

/** What a publish step's artifact is called in the release record: its own `artifact`, or "<name> <version>". */
export function artifactOf(step: { name: string; artifact?: string | null }, values: PublishValues): string {
  return step.artifact ? substitutePlaceholders(step.artifact, values) : `${step.name} ${values.SHIPGATE_VERSION}`;
}

/**
 * Whether a step's `check` says the version is already published: it exited 0 and printed
 * something. That is how `npm view <name>@<version> version` answers: the version when it is
 * there, nothing (or an E404 and a non-zero exit) when it is not. A check that could not run,
 * timed out, or failed answers "not published", and the publish command runs; the command itself
 * is what must refuse a version that is already there.
 */
export function checkSaysPublished(result: { exitCode: number | null; timedOut: boolean; stdout: string }): boolean {
  return result.exitCode === 0 && !result.timedOut && result.stdout.trim() !== '';
}

/**
 * Why a publish decision cannot be taken now, or null when it can. The release's update validator
 * throws this reason, so a refused decision never enters the run's history.
 */
export function publishDecisionProblem(input: unknown, awaiting: { step: string } | null): string | null {
  if (typeof input !== 'object' || input === null) return 'a publish decision is an object: {decision, step?, reason?}';
  const { decision, step, reason } = input as Record<string, unknown>;
  if (typeof decision !== 'string' || !(PUBLISH_DECISIONS as readonly string[]).includes(decision))
    return `unknown decision ${JSON.stringify(decision)}: use ${PUBLISH_DECISIONS.join(', ')}`;
  if (!awaiting) return 'no publish decision is awaited';
  if (step !== undefined && step !== awaiting.step)
    return `the publish step awaiting a decision is "${awaiting.step}", not ${JSON.stringify(step)}`;
  if (decision === 'skip' && (typeof reason !== 'string' || reason.trim() === ''))
    return `skipping publish step "${awaiting.step}" needs a reason: it is recorded with the release`;
  return null;
}

/**
 * The publish decision a `decide` signal names, read as a person types it in the Temporal UI:
 * `retry`, `abandon`, or `skip: <reason>` (a skip needs its reason). Null for anything else.
 */
export function parsePublishSignal(value: unknown): { decision: PublishDecision; reason?: string } | null {
  if (typeof value !== 'string') return null;
  const skip = /^\s*skip\s*[:-]\s*(\S.*)$/is.exec(value);
  if (skip) return { decision: 'skip', reason: skip[1]!.trim() };
  const word = value.toLowerCase().replace(/[\s_-]+/g, '');
  return word === 'retry' || word === 'abandon' ? { decision: word } : null;
}
