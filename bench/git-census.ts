import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface GitCensus {
  total: number;
  /** Processes per git subcommand, most frequent first. */
  bySubcommand: Array<[string, number]>;
  /** Every process: when it started (epoch milliseconds) and its subcommand. */
  calls: Array<{ atMs: number; subcommand: string }>;
}

/** Processes per subcommand, most frequent first. */
export function bySubcommand(calls: readonly { subcommand: string }[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.subcommand, (counts.get(call.subcommand) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function subcommandOf(line: string): string {
  const words = line.split(' ');
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (word === '-c' || word === '-C') i += 1;
    else if (!word.startsWith('-')) return word;
  }
  return '?';
}

/**
 * Counts the git processes `run` starts (in this process: the in-process worker's activities
 * and the script alike) by putting a logging `git` first on PATH for its duration. The shim
 * costs a shell start per call, so nothing timed runs under it.
 */
export async function gitCensus<T>(run: () => Promise<T>): Promise<{ value: T; census: GitCensus }> {
  const realGit = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-bench-git-'));
  const log = path.join(dir, 'calls.log');
  const shim = path.join(dir, 'git');
  await writeFile(log, '');
  // One line per call (a tag message has newlines), written with one append, stamped with bash's
  // own clock (no process of its own) so that the bench can say which activity started it.
  await writeFile(
    shim,
    `#!/bin/bash\nline=$(printf '%s' "$*" | tr '\\n' ' ')\nprintf '%s %s\\n' "$EPOCHREALTIME" "$line" >> '${log}'\nexec '${realGit}' "$@"\n`,
  );
  await chmod(shim, 0o755);
  const before = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${before ?? ''}`;
  let value: T;
  try {
    value = await run();
  } finally {
    process.env.PATH = before;
  }
  const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  await rm(dir, { recursive: true, force: true });
  const calls = lines.map((line) => {
    const space = line.indexOf(' ');
    return { atMs: Number(line.slice(0, space)) * 1000, subcommand: subcommandOf(line.slice(space + 1)) };
  });
  return { value, census: { total: calls.length, bySubcommand: bySubcommand(calls), calls } };
}
