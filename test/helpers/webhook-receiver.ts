import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver was sent, and what it answered. */
export interface ReceivedHook {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
  /** The signature header checked with the receiver's secret (null: no secret given). */
  signed: boolean | null;
}

/**
 * A real HTTP receiver of notifications on a loopback port: it keeps every request, checks the
 * X-Shipgate-Signature against its own HMAC of `<timestamp>.<body>`, and can be down (answer a
 * status, or refuse connections altogether) and come back.
 */
export interface WebhookReceiver {
  url: string;
  /** Every request, answered or not, in arrival order. */
  requests: ReceivedHook[];
  /** The requests answered 2xx: what was delivered. */
  delivered(): ReceivedHook[];
  /** The delivered JSON bodies, parsed. */
  events(): Record<string, unknown>[];
  /** Answer `status` to every request until `up()`. */
  answer(status: number): void;
  /** Close the port: connections are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Resolves once `predicate` holds for the delivered requests, or rejects after `timeoutMs`. */
  waitFor(predicate: (delivered: ReceivedHook[]) => boolean, timeoutMs: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

export function verifySignature(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const given = headers['x-shipgate-signature'];
  const timestamp = headers['x-shipgate-timestamp'];
  if (typeof given !== 'string' || typeof timestamp !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

export async function startWebhookReceiver(options: { secret?: string; port?: number } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedHook[] = [];
  let status = 204;
  let server: http.Server | null = null;
  let port = options.port ?? 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          requests.push({
            at: Date.now(),
            path: req.url ?? '/',
            headers: req.headers,
            body,
            answered: status,
            signed: options.secret ? verifySignature(options.secret, req.headers, body) : null,
          });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? '' : 'not now');
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });
  await listen();

  const delivered = () => requests.filter((r) => r.answered >= 200 && r.answered < 300);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    delivered,
    events: () => delivered().map((r) => JSON.parse(r.body) as Record<string, unknown>),
    answer: (s) => {
      status = s;
    },
    down: close,
    up: async () => {
      status = 204;
      if (!server) await listen();
    },
    waitFor: async (predicate, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(delivered())) {
        if (Date.now() > deadline)
          throw new Error(
            `the receiver did not see ${what} within ${timeoutMs} ms; it saw: ${requests.map((r) => `${String(r.headers['x-shipgate-event'])} (${r.answered})`).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: close,
  };
}

/**
 * What is wrong with what a receiver was delivered, as shipgate promises it: every request signed,
 * no delivery twice, the headers saying what the body says, each id `<workflowId>/<runId>/<seq>`.
 */
export function deliveryProblems(hooks: ReceivedHook[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const hook of hooks) {
    const body = JSON.parse(hook.body) as { id: string; event: string; workflowId: string; runId: string; seq: number };
    const delivery = String(hook.headers['x-shipgate-delivery']);
    if (hook.signed === false) problems.push(`${delivery}: the signature does not verify`);
    if (seen.has(delivery)) problems.push(`${delivery}: delivered twice`);
    seen.add(delivery);
    if (hook.headers['x-shipgate-event'] !== body.event)
      problems.push(`${delivery}: X-Shipgate-Event ${String(hook.headers['x-shipgate-event'])}, body ${body.event}`);
    if (delivery !== body.id) problems.push(`${delivery}: the body's id is ${body.id}`);
    if (body.id !== `${body.workflowId}/${body.runId}/${body.seq}`)
      problems.push(`${body.id}: not <workflowId>/<runId>/<seq>`);
  }
  return problems;
}
