import http from 'node:http';
import { LatencyHistogram } from './stats.js';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationMs: number;
  /** A response body containing this is counted as degraded (answered, but without the live state). */
  degradedMarker?: string;
  requestTimeoutMs?: number;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Responses outside 2xx, by status. */
  non2xx: Record<string, number>;
  /** Requests that got no response (connection error, timeout). */
  errors: number;
  degraded: number;
}

interface Answer {
  status: number;
  body: string;
}

function get(url: URL, agent: http.Agent, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('request timeout')));
    request.on('error', reject);
  });
}

/**
 * Closed-loop load: `connections` keep-alive connections, each sending its next request as soon
 * as the last one is answered, for a fixed duration. Latency is from sending to the last byte.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.connections,
    maxFreeSockets: options.connections,
  });
  const histogram = new LatencyHistogram();
  const non2xx: Record<string, number> = {};
  let errors = 0;
  let degraded = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const connection = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const answer = await get(url, agent, options.headers, options.requestTimeoutMs ?? 30_000);
        histogram.record(performance.now() - sent);
        if (answer.status < 200 || answer.status >= 300) non2xx[answer.status] = (non2xx[answer.status] ?? 0) + 1;
        else if (options.degradedMarker && answer.body.includes(options.degradedMarker)) degraded += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    requests: histogram.count,
    elapsedMs,
    requestsPerSecond: histogram.count / (elapsedMs / 1000),
    p50: histogram.percentile(50),
    p90: histogram.percentile(90),
    p99: histogram.percentile(99),
    max: histogram.max,
    mean: histogram.mean(),
    non2xx,
    errors,
    degraded,
  };
}
