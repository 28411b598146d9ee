import type { ApprovalProgress, ApprovalRequest, PromotionStep } from '../vocabulary/environments.js';
import { ROLES, type Identity } from '../vocabulary/identity.js';
import type { ErrorCode } from './errors.js';

/*
 * Who may approve or deny a version into an environment. Pure, so the promotion's validators and
 * the unit tests share it; the workflow throws what it answers as a workflow failure.
 */

export interface Refusal {
  code: ErrorCode;
  message: string;
}

/** What the rules need of the promotion: its version, its steps, who started it and who wrote it. */
export interface ApprovalContext {
  version: string;
  steps: readonly Pick<PromotionStep, 'environment' | 'status' | 'reason' | 'approval'>[];
  startedBy?: string;
  authors?: readonly string[];
}

/** A request as sent (from the API, or any JSON from the Temporal UI), checked for its shape. */
export function approvalRequestOf(sent: unknown): ApprovalRequest | Refusal {
  const bad = (message: string): Refusal => ({ code: 'SHIPGATE_BAD_REQUEST', message });
  if (typeof sent !== 'object' || sent === null) return bad('the request must be an object {environment, by, reason}');
  const { environment, by, reason } = sent as Record<string, unknown>;
  if (typeof environment !== 'string' || environment === '') return bad('environment must name an environment');
  if (typeof by !== 'object' || by === null) return bad('by must be the identity {name, role, authors} of who decides');
  const { name, role, authors } = by as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') return bad('by.name must name who decides');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    return bad(`by.role must be one of ${ROLES.join(', ')}`);
  if (authors !== undefined && (!Array.isArray(authors) || !authors.every((a) => typeof a === 'string')))
    return bad('by.authors must be a list of author names and emails');
  if (reason !== undefined && reason !== null && typeof reason !== 'string') return bad('reason must be text');
  return {
    environment,
    by: { name, role: role as Identity['role'], authors: authors ?? [] },
    reason: typeof reason === 'string' && reason.trim() !== '' ? reason : null,
  };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/**
 * Why `request` may not approve (or deny) now, or null when it may. In this order: the
 * environment is not the promotion's; it does not wait for approval there; the person is neither
 * named in `from` nor of a role it names; (approving) they already approved; with `notAuthor`,
 * they started the release or authored one of its commits.
 */
export function approvalRefusal(
  context: ApprovalContext,
  request: ApprovalRequest,
  decision: 'approve' | 'deny',
): Refusal | null {
  const step = context.steps.find((s) => s.environment === request.environment);
  if (!step)
    return {
      code: 'SHIPGATE_UNKNOWN_ENVIRONMENT',
      message: `${context.version} is promoted through ${context.steps.map((s) => s.environment).join(', ') || 'no environment yet'}, not "${request.environment}"`,
    };
  const progress = step.approval;
  if (step.status !== 'awaiting approval' || !progress)
    return {
      code: 'SHIPGATE_NOT_AWAITING_APPROVAL',
      message: `${context.version} is not awaiting approval into ${step.environment}: it is ${step.status}${step.reason ? ` (${step.reason})` : ''}`,
    };
  const { name, role } = request.by;
  const verb = decision === 'approve' ? 'approve' : 'deny';
  if (!progress.from.includes(name) && !progress.from.includes(role))
    return {
      code: 'SHIPGATE_APPROVAL_REFUSED',
      message: `${name} (${role}) may not ${verb} ${context.version} into ${step.environment}: only ${progress.from.join(', ')} may`,
    };
  if (decision === 'approve' && progress.approvals.some((a) => same(a.by, name)))
    return {
      code: 'SHIPGATE_APPROVAL_REFUSED',
      message: `${name} already approved ${context.version} into ${step.environment}: approvals must come from ${progress.required} different people`,
    };
  if (progress.notAuthor) {
    const selves = [name, ...request.by.authors];
    if (context.startedBy !== undefined && selves.some((self) => same(self, context.startedBy!)))
      return {
        code: 'SHIPGATE_APPROVAL_REFUSED',
        message: `${name} started the release of ${context.version} and may not ${verb} it into ${step.environment}: separation of duties`,
      };
    const author = (context.authors ?? []).find((a) => selves.some((self) => same(self, a)));
    if (author !== undefined)
      return {
        code: 'SHIPGATE_APPROVAL_REFUSED',
        message: `${name} authored a commit of the release of ${context.version} (as ${author}) and may not ${verb} it into ${step.environment}`,
      };
  }
  return null;
}

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The different people who approved, in order. */
export function approvers(progress: ApprovalProgress): string[] {
  const seen: string[] = [];
  for (const a of progress.approvals) if (!seen.some((s) => same(s, a.by))) seen.push(a.by);
  return seen;
}

/** Whether the wait for approvals is over: enough approvers, a denial or an override. */
export function approvalDecided(progress: ApprovalProgress): boolean {
  return progress.denial !== null || progress.override !== null || approvers(progress).length >= progress.required;
}

/** What the step says while it waits: how many it needs, from whom, how many so far, until when. */
export function approvalWaitReason(progress: ApprovalProgress): string {
  const got = approvers(progress);
  return (
    `needs ${progress.required} approval${progress.required === 1 ? '' : 's'} from ${progress.from.join(', ')}; ` +
    `${got.length} so far${got.length ? ` (${got.join(', ')})` : ''}; expires at ${progress.expiresAt}`
  );
}
