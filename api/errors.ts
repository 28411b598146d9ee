import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { isGrpcServiceError } from '@temporalio/client';
import { ERRORS, ShipgateError, type ErrorCode } from '../domain/errors.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  /** For conflicts: the run that is in the way. */
  workflowId?: string;
}

/** gRPC status codes meaning the server could not be reached or did not answer in time. */
const GRPC_UNREACHABLE = new Set([14 /* UNAVAILABLE */, 4 /* DEADLINE_EXCEEDED */]);

/** Fastify's own request errors that mean something specific to a client. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'SHIPGATE_BODY_TOO_LARGE', message: 'the body is larger than the API accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'SHIPGATE_UNSUPPORTED_MEDIA_TYPE',
    message: 'the body must be JSON, sent as Content-Type: application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'SHIPGATE_BAD_REQUEST', message: 'the body is not valid JSON' },
};

/**
 * What a plugin's client error (an `http-errors` error from the documentation's static files,
 * say) becomes. Statuses without an entry are answered as 400: the catalogue decides the status.
 */
const CLIENT_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'SHIPGATE_BAD_REQUEST',
  403: 'SHIPGATE_FORBIDDEN',
  404: 'SHIPGATE_NOT_FOUND',
};

export function errorBody(code: ErrorCode, message: string = ERRORS[code].title): ErrorBody {
  const statusCode = ERRORS[code].status;
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
}

/** The response for any error; only errors meant for the client keep their own message. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ShipgateError) {
    const workflowId = error.details?.workflowId;
    return { ...errorBody(error.code, error.message), ...(typeof workflowId === 'string' ? { workflowId } : {}) };
  }
  if (isFastifyError(error)) {
    if (error.validation !== undefined) return errorBody('SHIPGATE_BAD_REQUEST', error.message);
    const known = FASTIFY_CODES[error.code];
    if (known) return errorBody(known.code, known.message);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return errorBody('SHIPGATE_BAD_REQUEST', error.message);
    }
  }
  const status = clientStatusOf(error);
  if (status !== null) {
    const code = CLIENT_STATUS_CODES[status] ?? 'SHIPGATE_BAD_REQUEST';
    // `expose: false` marks a message about the server's own files (an ENOENT with a path); a
    // bare "Forbidden" says less than the catalogue's title.
    const { message, expose } = error as Error & { expose?: unknown };
    return errorBody(code, expose !== false && message !== STATUS_CODES[status] ? message : ERRORS[code].title);
  }
  if (isTemporalUnreachable(error)) return errorBody('SHIPGATE_TEMPORAL_UNAVAILABLE');
  return errorBody('SHIPGATE_INTERNAL', 'internal error; the server log has the details');
}

export function isTemporalUnreachable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (isGrpcServiceError(cause) && GRPC_UNREACHABLE.has(cause.code)) return true;
  }
  return false;
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = toErrorBody(error);
  // A client that hung up mid-request is no fault of the server, and nobody reads the answer.
  if (request.raw.aborted || request.raw.socket?.destroyed) {
    request.log.info({ code: (error as NodeJS.ErrnoException).code }, 'the client closed the connection');
    return reply.code(body.statusCode).send(body);
  }
  if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed');
  if (body.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="shipgate"');
  return reply.code(body.statusCode).send(body);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? request.url;
  return reply.code(404).send(errorBody('SHIPGATE_NOT_FOUND', `no route ${request.method} ${path}`));
}

/** Names the offending field, e.g. `body/bump must match pattern "..."` or `body has an unknown field "x"`. */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const lines = errors.map((e) => {
    const where = `${dataVar}${e.instancePath}`;
    const unknown =
      e.keyword === 'additionalProperties'
        ? (e.params as { additionalProperty?: unknown }).additionalProperty
        : undefined;
    return typeof unknown === 'string'
      ? `${where} has an unknown field "${unknown}"`
      : `${where} ${e.message ?? 'is not valid'}`;
  });
  return new Error(lines.join('; '));
}

/** The 4xx status an error from a plugin or Node's HTTP layer carries, if it carries one. */
function clientStatusOf(error: unknown): number | null {
  if (!(error instanceof Error)) return null;
  const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
  const value = typeof statusCode === 'number' ? statusCode : status;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value < 500 ? value : null;
}

function isFastifyError(error: unknown): error is FastifyError {
  return (
    error instanceof Error &&
    typeof (error as FastifyError).code === 'string' &&
    (error as FastifyError).code.startsWith('FST_')
  );
}
