import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface WrkResult {
  p50: number;
  p99: number;
  requestsPerSecond: number;
  non2xx: number;
  socketErrors: string | null;
}

/** wrk on PATH, or null: the benchmark never needs it, it only cross-checks the Node generator. */
export async function findWrk(): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'wrk');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(text: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
  return match ? Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1) : Number.NaN;
}

export async function runWrk(
  wrk: string,
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  const args = ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const { stdout } = await execa(wrk, [...args, url], { timeout: (seconds + 60) * 1000 });
  return {
    p50: latencyMs(stdout, '50'),
    p99: latencyMs(stdout, '99'),
    requestsPerSecond: Number(/^Requests\/sec:\s+([\d.]+)/m.exec(stdout)?.[1] ?? Number.NaN),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0),
    socketErrors: /Socket errors:\s*(.+)/.exec(stdout)?.[1]?.trim() ?? null,
  };
}
