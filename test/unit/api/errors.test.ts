import { describe, expect, it } from 'vitest';
import { formatValidationErrors, isTemporalUnreachable, toErrorBody } from '../../../api/errors.js';
import { ShipgateError } from '../../../domain/errors.js';

function fastifyError(code: string, statusCode: number, message = 'fastify says no', extra: object = {}): Error {
  return Object.assign(new Error(message), { code, statusCode, ...extra });
}

/** Shaped like @grpc/grpc-js's ServiceError, which is what the Temporal client throws. */
function grpcError(code: number): Error {
  return Object.assign(new Error(`${code} grpc`), { code, details: 'No connection established', metadata: {} });
}

describe('toErrorBody', () => {
  it("keeps a ShipgateError's status, code and message", () => {
    expect(toErrorBody(new ShipgateError('SHIPGATE_REPO_NOT_FOUND', 'unknown repository "x"'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'SHIPGATE_REPO_NOT_FOUND',
      message: 'unknown repository "x"',
    });
  });

  it.each([
    [
      'a forbidden path',
      Object.assign(new Error('Forbidden'), { status: 403, statusCode: 403, expose: true }),
      403,
      'SHIPGATE_FORBIDDEN',
      'the path is not allowed',
    ],
    [
      'a missing file, whose message names a server path',
      Object.assign(new Error("ENOENT: no such file, stat '/srv/x'"), { status: 404, expose: false }),
      404,
      'SHIPGATE_NOT_FOUND',
      'no such route',
    ],
    [
      'a status the catalogue has no entry for',
      Object.assign(new Error('Range Not Satisfiable'), { statusCode: 416, expose: true }),
      400,
      'SHIPGATE_BAD_REQUEST',
      'the request is not valid',
    ],
    [
      'a request the client aborted',
      Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 }),
      400,
      'SHIPGATE_BAD_REQUEST',
      'aborted',
    ],
  ])("keeps the 4xx of a plugin's client error: %s", (_name, error, statusCode, code, message) => {
    expect(toErrorBody(error)).toMatchObject({ statusCode, code, message });
  });

  it('turns a schema validation error into 400 with its message', () => {
    const error = fastifyError('FST_ERR_VALIDATION', 400, 'body/bump must match pattern "^x$"', { validation: [] });
    expect(toErrorBody(error)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'SHIPGATE_BAD_REQUEST',
      message: 'body/bump must match pattern "^x$"',
    });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'SHIPGATE_BODY_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'SHIPGATE_UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'SHIPGATE_BAD_REQUEST'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'SHIPGATE_BAD_REQUEST'],
  ])('maps Fastify %s to %i %s', (fastifyCode, status, code) => {
    const body = toErrorBody(fastifyError(fastifyCode, status));
    expect(body).toMatchObject({ statusCode: status, code });
  });

  it('answers 503 when the Temporal server cannot be reached, however deep the gRPC error is wrapped', () => {
    const wrapped = new Error('Unexpected error while making gRPC request', { cause: grpcError(14) });
    expect(toErrorBody(wrapped)).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SHIPGATE_TEMPORAL_UNAVAILABLE',
    });
    expect(toErrorBody(grpcError(4)).code).toBe('SHIPGATE_TEMPORAL_UNAVAILABLE');
  });

  it('answers 500 with a generic message that says nothing of the error itself', () => {
    const body = toErrorBody(
      new TypeError("Cannot read properties of undefined (reading 'secret') at /srv/shipgate/api/x.ts"),
    );
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'SHIPGATE_INTERNAL',
      message: 'internal error; the server log has the details',
    });
    expect(toErrorBody(grpcError(3)).code).toBe('SHIPGATE_INTERNAL');
    expect(toErrorBody('a thrown string').code).toBe('SHIPGATE_INTERNAL');
    expect(toErrorBody(fastifyError('FST_ERR_SOMETHING', 500)).code).toBe('SHIPGATE_INTERNAL');
  });
});

describe('isTemporalUnreachable', () => {
  it('is true only for UNAVAILABLE and DEADLINE_EXCEEDED', () => {
    expect(isTemporalUnreachable(grpcError(14))).toBe(true);
    expect(isTemporalUnreachable(grpcError(5))).toBe(false);
    expect(isTemporalUnreachable(new Error('14 UNAVAILABLE'))).toBe(false);
  });
});

describe('formatValidationErrors', () => {
  it('names the field and what is wrong with it', () => {
    const error = formatValidationErrors(
      [
        {
          keyword: 'pattern',
          instancePath: '/bump',
          schemaPath: '#/properties/bump/pattern',
          params: {},
          message: 'must match pattern "^x$"',
        },
      ],
      'body',
    );
    expect(error.message).toBe('body/bump must match pattern "^x$"');
  });

  it('names an unknown field', () => {
    const error = formatValidationErrors(
      [
        {
          keyword: 'additionalProperties',
          instancePath: '',
          schemaPath: '#/additionalProperties',
          params: { additionalProperty: 'bmup' },
          message: 'must NOT have additional properties',
        },
      ],
      'body',
    );
    expect(error.message).toBe('body has an unknown field "bmup"');
  });
});
