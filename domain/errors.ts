/**
 * The catalogue of shipgate's errors. A code, once published, keeps its meaning and is never
 * reused; the API answers with `status`, and activities fail with `code` as the failure type.
 */
export const ERRORS = {
  SHIPGATE_UNAUTHORIZED: { status: 401, title: 'a valid bearer token is required' },
  SHIPGATE_NOT_FOUND: { status: 404, title: 'no such route' },
  SHIPGATE_FORBIDDEN: { status: 403, title: 'the path is not allowed' },
  SHIPGATE_REPO_NOT_FOUND: { status: 404, title: 'unknown repository' },
  SHIPGATE_RUN_NOT_FOUND: { status: 404, title: 'no such run' },
  SHIPGATE_TAG_NOT_FOUND: { status: 404, title: 'no such release tag' },
  SHIPGATE_NOT_RELEASED: { status: 422, title: 'the tag is not a release that shipgate made from an approved commit' },
  SHIPGATE_BAD_REQUEST: { status: 400, title: 'the request is not valid' },
  SHIPGATE_INVALID_VERSION: { status: 400, title: 'the requested version is not valid' },
  SHIPGATE_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'the body must be JSON' },
  SHIPGATE_BODY_TOO_LARGE: { status: 413, title: 'the body is too large' },
  SHIPGATE_RELEASE_RUNNING: { status: 409, title: 'a release of this repository is already running' },
  SHIPGATE_NO_DECISION_AWAITED: { status: 409, title: 'the run is not waiting for a decision' },
  SHIPGATE_TEMPORAL_UNAVAILABLE: { status: 503, title: 'the Temporal server cannot be reached' },
  SHIPGATE_REPO_UNAVAILABLE: { status: 422, title: 'the repository cannot be used' },
  SHIPGATE_HEAD_MOVED: { status: 409, title: 'the branch moved while the run was starting' },
  SHIPGATE_DIRTY_WORK_TREE: { status: 422, title: 'the work tree has uncommitted changes' },
  SHIPGATE_WRONG_BRANCH: { status: 422, title: 'the work tree is not on the release branch' },
  SHIPGATE_BRANCH_BEHIND: { status: 422, title: 'the release branch is behind or has diverged from its remote' },
  SHIPGATE_REMOTE_MOVED: { status: 409, title: 'the remote branch moved during the release' },
  SHIPGATE_TAG_EXISTS: { status: 409, title: 'the planned release tag already exists' },
  SHIPGATE_PUSH_REJECTED: { status: 409, title: 'the remote refused the release push' },
  SHIPGATE_PUSH_FAILED: { status: 502, title: 'the release could not be pushed to the remote' },
  SHIPGATE_REMOTE_UNREACHABLE: { status: 502, title: 'the remote cannot be reached' },
  SHIPGATE_COVERAGE_FORMAT: { status: 422, title: 'the coverage file cannot be read' },
  SHIPGATE_WATCH_NOT_CONFIGURED: { status: 404, title: 'the repository has no branch watch configured' },
  SHIPGATE_BAD_SIGNATURE: { status: 401, title: 'the webhook signature is missing or wrong' },
  SHIPGATE_INTERNAL: { status: 500, title: 'internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error whose message is meant for the person who made the request. */
export class ShipgateError extends Error {
  override name = 'ShipgateError';
  readonly status: number;
  constructor(readonly code: ErrorCode, message?: string, readonly details?: Record<string, unknown>) {
    super(message ?? ERRORS[code].title);
    this.status = ERRORS[code].status;
  }
}
