import {
  defaultGrpcRetryOptions,
  isGrpcDeadlineError,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
  type Client,
  type ConnectionOptions,
} from '@temporalio/client';

/** How long /healthz waits for the Temporal server: below a load balancer's usual probe timeout. */
export const PROBE_TIMEOUT_MS = 2_000;
/** How long one probe's answer serves every /healthz request: 100 probes a second would be what trips the limit. */
export const PROBE_SHARE_MS = 1_000;

const GET_SYSTEM_INFO = '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo';
// gRPC status codes, as numbers: @grpc/grpc-js is the SDK's dependency, not ours.
const RESOURCE_EXHAUSTED = 8;

/**
 * Why the Temporal server counts as unreachable, or null when it answered. A rate-limit answer
 * (RESOURCE_EXHAUSTED) is an answer: the server is up and busy, and a health check that turned a
 * busy server into "down" would have a load balancer take a healthy API out of service.
 */
export function probeProblem(error: unknown): string | null {
  const grpc = grpcCause(error);
  if (grpc?.code === RESOURCE_EXHAUSTED) return null;
  if (isGrpcDeadlineError(error)) return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  if (grpc) return grpc.details || grpc.message;
  return error instanceof Error ? error.message : String(error);
}

/** The gRPC error itself, or the one a client-level `ServiceError` wraps. */
function grpcCause(error: unknown): { code: number; details: string; message: string } | null {
  if (isGrpcServiceError(error)) return error;
  if (error instanceof Error && isGrpcServiceError(error.cause)) return error.cause;
  return null;
}

export interface HealthProbeOptions {
  timeoutMs?: number;
  shareMs?: number;
  /** The clock that decides when a shared answer is too old (tests step it). */
  now?: () => number;
}

/**
 * One probe of the Temporal server that concurrent /healthz requests share: a probe still running
 * serves every request that arrives meanwhile, and its answer serves those of the next `shareMs`.
 * Resolves to null when the server answered, otherwise to why not; it never rejects.
 */
export function createHealthProbe(client: Client, options: HealthProbeOptions = {}): () => Promise<string | null> {
  const { timeoutMs = PROBE_TIMEOUT_MS, shareMs = PROBE_SHARE_MS, now = Date.now } = options;
  let shared: { startedAt: number; settled: boolean; answer: Promise<string | null> } | null = null;
  return () => {
    if (shared && (!shared.settled || now() - shared.startedAt < shareMs)) return shared.answer;
    const current = { startedAt: now(), settled: false, answer: probeOnce(client, timeoutMs) };
    void current.answer.finally(() => (current.settled = true));
    shared = current;
    return current.answer;
  };
}

/** Bounded by a timer too: connecting is not covered by the gRPC deadline. */
async function probeOnce(client: Client, timeoutMs: number): Promise<string | null> {
  const probe = client
    .withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}))
    .then(() => null, probeProblem);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
  });
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the API's connection hands a failed call back at once instead of retrying it as the SDK
 * does: only a rate-limited GetSystemInfo. The SDK's retry of that waits about 1.7 s before the
 * second try, which outlasts the 2 s probe; handed back, it tells the probe the server is up.
 */
export function answeredAtOnce(path: string, status: { code: number }): boolean {
  return path === GET_SYSTEM_INFO && status.code === RESOURCE_EXHAUSTED;
}

const SDK_RETRY = defaultGrpcRetryOptions();

/** The connection options of the API process: the SDK's retries, but for `answeredAtOnce`. */
export function apiConnectionOptions(address: string): ConnectionOptions {
  return {
    address,
    interceptors: [
      (options, nextCall) =>
        makeGrpcRetryInterceptor({
          delayFunction: SDK_RETRY.delayFunction,
          retryableDecider: (attempt, status) =>
            !answeredAtOnce(options.method_definition.path, status) && SDK_RETRY.retryableDecider(attempt, status),
        })(options, nextCall),
    ],
  };
}
