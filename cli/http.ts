/** The CLI's only way to shipgate: its HTTP API, with every failure turned into one readable line. */

import { readEventStream, type ServerEvent } from './event-stream.js';

/** An open event stream: its events as they come, and a way to hang up. */
export interface EventStream {
  events: AsyncIterable<ServerEvent>;
  close(): void;
}

/** Generous: starting QA of a URL repository asks its remote for the branch tip first. */
const REQUEST_TIMEOUT_MS = 30_000;

/** What went wrong, said once for a person; `transient` when asking again later may work. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly details: { code?: string; status?: number; body?: Record<string, unknown>; transient?: boolean } = {},
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token: string | null;
  /** Where the token came from, e.g. "from $SHIPGATE_API_TOKEN", said when the API refuses it. */
  tokenSource?: string;
  timeoutMs?: number;
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Without a body, nothing is sent: the API reads no body as no options. */
  post<T>(path: string, body?: object): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /**
   * Opens a Server-Sent Events stream (`GET /events?…`), resuming after `lastEventId`. Null when
   * the API has no such route (an older API): the caller then polls instead.
   */
  async stream(path: string, lastEventId: string | null): Promise<EventStream | null> {
    const { baseUrl, token } = this.options;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (lastEventId !== null) headers['last-event-id'] = lastEventId;
    const timeoutMs = this.options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const abort = new AbortController();
    // The timeout covers the answer's headers only: the stream itself stays open as long as the run.
    const timer = setTimeout(() => abort.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, { headers, signal: abort.signal });
    } catch (error) {
      throw unreachable(baseUrl, error, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || response.body === null) {
      const parsed = parseJson(await response.text().catch(() => ''));
      const error = errorFromResponse(
        response.status,
        response.statusText,
        parsed,
        token === null ? null : (this.options.tokenSource ?? ''),
      );
      if (response.status === 404 && error.details.code !== 'SHIPGATE_RUN_NOT_FOUND') return null;
      throw error;
    }
    const body = response.body;
    return {
      events: readEventStream(body),
      close: () => abort.abort(),
    };
  }

  private async request<T>(method: string, path: string, body?: object): Promise<T> {
    const { baseUrl, token } = this.options;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(baseUrl, error, this.options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    }
    const parsed = parseJson(await response.text().catch(() => ''));
    if (!response.ok)
      throw errorFromResponse(
        response.status,
        response.statusText,
        parsed,
        token === null ? null : (this.options.tokenSource ?? ''),
      );
    if (parsed === undefined)
      throw new CliError(
        `the API answered ${method} ${path} with something other than JSON; is ${baseUrl} the shipgate API?`,
      );
    return parsed as T;
  }
}

/**
 * One line for an error response, from the API's `{ statusCode, error, code, message }`.
 * `tokenSource` is null when no token was sent; a refusal names it, since a stale saved token
 * looks just like a mistyped one.
 */
export function errorFromResponse(
  status: number,
  statusText: string,
  body: unknown,
  tokenSource: string | null,
): CliError {
  const fields = isRecord(body) ? body : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const details = { code, status, body: fields, transient: status === 502 || status === 503 || status === 504 };
  if (status === 401) {
    const problem =
      tokenSource === null
        ? 'no API token was given'
        : `the API token${tokenSource ? ` ${tokenSource}` : ''} was refused`;
    return new CliError(
      `${problem}: set SHIPGATE_API_TOKEN (or pass --token) to the token the API was started with (${code ?? 'HTTP 401'})`,
      details,
    );
  }
  const message =
    typeof fields.message === 'string' && fields.message !== ''
      ? fields.message
      : `the API answered ${status} ${statusText}`.trimEnd();
  return new CliError(code ? `${message} (${code})` : message, details);
}

/** fetch says only "fetch failed"; the reason is in its cause. */
export function unreachable(baseUrl: string, error: unknown, timeoutMs: number): CliError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new CliError(`the shipgate API at ${baseUrl} did not answer within ${timeoutMs / 1000} s`, {
      transient: true,
    });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : null;
  if (code === 'ECONNREFUSED')
    return new CliError(`cannot reach the shipgate API at ${baseUrl} (is \`npm start\` running?)`, { transient: true });
  const reason = code ?? (cause instanceof Error ? cause.message : String(cause));
  return new CliError(`cannot reach the shipgate API at ${baseUrl}: ${reason}`, { transient: true });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
