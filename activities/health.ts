import type { RepoConfig } from '../config/types.js';
import type { HealthSample } from '../vocabulary/messages.js';

type HealthSettings = NonNullable<RepoConfig['health']>;

function fieldAt(value: unknown, dotted: string): unknown {
  let current = value;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

async function versionFrom(
  response: Response,
  body: string | null,
  check: NonNullable<HealthSettings['version']>,
): Promise<string | null> {
  if (check.header) return response.headers.get(check.header);
  if (!check.jsonField || body === null) return null;
  try {
    const value = fieldAt(JSON.parse(body), check.jsonField);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  } catch {
    return null;
  }
}

/**
 * One health sample: the configured URL must answer 2xx within the request timeout and, when a
 * version check is configured, report the expected version.
 */
export async function probeOnce(
  health: HealthSettings,
  expectedVersion: string | null,
  now: () => Date,
): Promise<HealthSample> {
  const at = now().toISOString();
  const started = performance.now();
  const sample = (fields: Partial<HealthSample>): HealthSample => ({
    at,
    status: null,
    latencyMs: Math.round(performance.now() - started),
    version: null,
    ok: false,
    error: null,
    ...fields,
  });
  try {
    const response = await fetch(health.url, {
      signal: AbortSignal.timeout(health.requestTimeoutMs),
      redirect: 'manual',
    });
    const body = await response.text().catch(() => null);
    const latencyMs = Math.round(performance.now() - started);
    if (!response.ok) return sample({ status: response.status, latencyMs, error: `HTTP ${response.status}` });
    const check = health.version;
    if (!check || expectedVersion === null) return sample({ status: response.status, latencyMs, ok: true });
    let version: string | null;
    if (check.url === health.url) {
      version = await versionFrom(response, body, check);
    } else {
      const versionResponse = await fetch(check.url, { signal: AbortSignal.timeout(health.requestTimeoutMs) });
      version = await versionFrom(versionResponse, await versionResponse.text().catch(() => null), check);
    }
    const ok = version === expectedVersion;
    return sample({
      status: response.status,
      latencyMs,
      version,
      ok,
      error: ok ? null : `version mismatch: serving ${version ?? 'no version'}, expected ${expectedVersion}`,
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${health.requestTimeoutMs}ms`
        : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    return sample({ error: reason });
  }
}
