/**
 * The catalogue of shipgate's errors. A code, once published, keeps its meaning and is never
 * reused; the API answers with `status`, and activities fail with `code` as the failure type.
 * `retryable` is what Temporal does with an activity that fails with the code: only a
 * transient fault (a remote that does not answer, a push cut off) is worth another attempt;
 * everything else would fail the same way again, so the run learns of it at once.
 */
export const ERRORS = {
  SHIPGATE_UNAUTHORIZED: { status: 401, title: 'a valid bearer token is required', retryable: false },
  SHIPGATE_NOT_FOUND: { status: 404, title: 'no such route', retryable: false },
  SHIPGATE_FORBIDDEN: { status: 403, title: 'the path is not allowed', retryable: false },
  SHIPGATE_REPO_NOT_FOUND: { status: 404, title: 'unknown repository', retryable: false },
  SHIPGATE_RUN_NOT_FOUND: { status: 404, title: 'no such run', retryable: false },
  SHIPGATE_TAG_NOT_FOUND: { status: 404, title: 'no such release tag', retryable: false },
  SHIPGATE_NOT_RELEASED: {
    status: 422,
    title: 'the tag is not a release that shipgate made from an approved commit',
    retryable: false,
  },
  SHIPGATE_BAD_REQUEST: { status: 400, title: 'the request is not valid', retryable: false },
  SHIPGATE_INVALID_VERSION: { status: 400, title: 'the requested version is not valid', retryable: false },
  SHIPGATE_UNKNOWN_BRANCH: {
    status: 400,
    title: "the branch is not one of the repository's configured branches",
    retryable: false,
  },
  SHIPGATE_VERSION_OUT_OF_RANGE: {
    status: 422,
    title: 'the next version is outside what the branch may release',
    retryable: false,
  },
  SHIPGATE_UNKNOWN_ENVIRONMENT: {
    status: 404,
    title: "the environment is not one of the repository's configured environments",
    retryable: false,
  },
  SHIPGATE_ENVIRONMENT_PINNED: {
    status: 409,
    title: 'the environment is pinned: nothing is deployed or promoted into it until it is unpinned',
    retryable: false,
  },
  SHIPGATE_ENVIRONMENT_NOT_PINNED: {
    status: 409,
    title: 'the environment is not pinned, so there is nothing to unpin',
    retryable: false,
  },
  SHIPGATE_NOT_PROMOTABLE: {
    status: 409,
    title: 'the version cannot be promoted into the environment now',
    retryable: false,
  },
  SHIPGATE_ROLE_REQUIRED: {
    status: 403,
    title: "the token's role may not do this",
    retryable: false,
  },
  SHIPGATE_APPROVAL_REFUSED: {
    status: 403,
    title: 'this person may not approve or deny the promotion',
    retryable: false,
  },
  SHIPGATE_NOT_AWAITING_APPROVAL: {
    status: 409,
    title: 'the promotion is not waiting for approval into the environment',
    retryable: false,
  },
  SHIPGATE_NOT_FROZEN: {
    status: 409,
    title: 'the promotion is not waiting for a freeze window of the environment to end',
    retryable: false,
  },
  SHIPGATE_ENVIRONMENT_FROZEN: {
    status: 409,
    title: 'a freeze window of the environment is open: nothing is deployed or promoted into it by hand until it ends',
    retryable: false,
  },
  SHIPGATE_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'the body must be JSON', retryable: false },
  SHIPGATE_BODY_TOO_LARGE: { status: 413, title: 'the body is too large', retryable: false },
  SHIPGATE_RELEASE_RUNNING: { status: 409, title: 'a release of this repository is already running', retryable: false },
  SHIPGATE_NO_DECISION_AWAITED: { status: 409, title: 'the run is not waiting for a decision', retryable: false },
  SHIPGATE_DECISION_NOT_POSSIBLE: {
    status: 409,
    title: 'the run waits for a decision, but not for this one',
    retryable: false,
  },
  SHIPGATE_PUBLISH_FAILED: {
    status: 502,
    title: 'a publish step of the release failed',
    // Retried with backoff up to the step's `retries`; then the release asks a person.
    retryable: true,
  },
  SHIPGATE_NOTIFY_FAILED: {
    status: 502,
    title: 'a notification target did not take an event',
    // Retried with backoff until the target's giveUpAfter; the run it tells about never waits for it.
    retryable: true,
  },
  SHIPGATE_NOTIFY_REFUSED: {
    status: 502,
    title: 'a notification target refused an event for good, or cannot be reached as configured',
    retryable: false,
  },
  SHIPGATE_TEMPORAL_UNAVAILABLE: { status: 503, title: 'the Temporal server cannot be reached', retryable: false },
  SHIPGATE_WORKER_UNAVAILABLE: {
    status: 503,
    title: 'no worker answered the read of the repository in time',
    retryable: false,
  },
  SHIPGATE_REPO_UNAVAILABLE: { status: 422, title: 'the repository cannot be used', retryable: false },
  SHIPGATE_HEAD_MOVED: { status: 409, title: 'the branch moved while the run was starting', retryable: false },
  SHIPGATE_DIRTY_WORK_TREE: { status: 422, title: 'the work tree has uncommitted changes', retryable: false },
  SHIPGATE_WRONG_BRANCH: { status: 422, title: 'the work tree is not on the release branch', retryable: false },
  SHIPGATE_BRANCH_BEHIND: {
    status: 422,
    title: 'the release branch is behind or has diverged from its remote',
    retryable: false,
  },
  SHIPGATE_REMOTE_MOVED: { status: 409, title: 'the remote branch moved during the release', retryable: false },
  SHIPGATE_TAG_EXISTS: { status: 409, title: 'the planned release tag already exists', retryable: false },
  SHIPGATE_PUSH_REJECTED: { status: 409, title: 'the remote refused the release push', retryable: false },
  SHIPGATE_PUSH_FAILED: { status: 502, title: 'the release could not be pushed to the remote', retryable: true },
  SHIPGATE_REMOTE_UNREACHABLE: { status: 502, title: 'the remote cannot be reached', retryable: true },
  SHIPGATE_COVERAGE_FORMAT: { status: 422, title: 'the coverage file cannot be read', retryable: false },
  SHIPGATE_WATCH_NOT_CONFIGURED: {
    status: 404,
    title: 'the repository has no branch watch configured',
    retryable: false,
  },
  SHIPGATE_BAD_SIGNATURE: { status: 401, title: 'the webhook signature is missing or wrong', retryable: false },
  SHIPGATE_NOT_DEPLOYABLE: { status: 422, title: 'the repository has no deploy command configured', retryable: false },
  SHIPGATE_CANCELLED: { status: 409, title: 'the run was cancelled', retryable: false },
  SHIPGATE_RUN_CLOSED: { status: 409, title: 'the run has already ended', retryable: false },
  SHIPGATE_INTERNAL: { status: 500, title: 'internal error', retryable: false },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error whose message is meant for the person who made the request. */
export class ShipgateError extends Error {
  override name = 'ShipgateError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERRORS[code].title);
    this.status = ERRORS[code].status;
  }
}
