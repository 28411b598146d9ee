import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import { TEMPORAL_CLI_VERSION, type CliExecutable } from '../devserver/temporal-cli.js';

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  git: string;
  temporal: string;
  wrk: string | null;
  date: string;
  /** 1-minute load averages when the run started and ended: other work on the machine skews every figure. */
  load: [number, number];
}

async function cpuModel(): Promise<string> {
  const info = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim();
  return model ?? os.cpus()[0]?.model ?? 'unknown';
}

async function versionOf(file: string, args: string[]): Promise<string | null> {
  // wrk prints its version with its usage and exits 1, so any output counts.
  const result = await execa(file, args, { reject: false });
  return (result.stdout || result.stderr).split('\n')[0]?.trim() || null;
}

/** What the figures were measured on. */
export async function describeMachine(
  temporal: CliExecutable | null,
  wrkPath: string | null,
  loadAtStart: number,
): Promise<Machine> {
  // A CLI built with `go install` reports 0.0.0-DEV; the cache and the build are of TEMPORAL_CLI_VERSION.
  const built =
    temporal?.type === 'path' && (temporal.source === 'cache' || temporal.source === 'built')
      ? ` v${TEMPORAL_CLI_VERSION},`
      : '';
  const temporalVersion =
    temporal?.type === 'path'
      ? `${built} ${(await versionOf(temporal.path, ['--version'])) ?? 'unknown'} (from ${temporal.source})`.trim()
      : temporal
        ? 'downloaded by the Temporal SDK'
        : 'not used';
  return {
    cpu: await cpuModel(),
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    git: (await versionOf('git', ['--version'])) ?? 'unknown',
    temporal: temporalVersion,
    wrk: wrkPath ? await versionOf(wrkPath, ['--version']).then((v) => v ?? 'present') : null,
    date: new Date().toISOString(),
    load: [loadAtStart, os.loadavg()[0] ?? Number.NaN],
  };
}

export function machineLines(machine: Machine): string[] {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores available`,
    `- Memory: ${machine.memory}`,
    `- OS: ${machine.os}`,
    `- Node ${machine.node}, ${machine.git}, Temporal CLI ${machine.temporal}${machine.wrk ? `, ${machine.wrk}` : ''}`,
    `- Date: ${machine.date}; 1-minute load average ${machine.load[0].toFixed(2)} before the run (other work on the machine) and ${machine.load[1].toFixed(2)} at its end (mostly the run itself)`,
  ];
}
