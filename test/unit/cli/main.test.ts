import { describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../../cli/main.js';

function io(): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    out: () => stdout,
    err: () => stderr,
  };
}

describe('run', () => {
  it('prints the help on stdout and exits 0', async () => {
    const cli = io();
    expect(await run(['--help'], cli)).toBe(0);
    expect(cli.out()).toContain('Usage: shipgate <command> [options]');
    expect(cli.err()).toBe('');
  });

  it('prints the usage on stderr and exits 2 without a command', async () => {
    const cli = io();
    expect(await run([], cli)).toBe(2);
    expect(cli.err()).toContain('Commands:');
    expect(cli.out()).toBe('');
  });

  it('answers an unknown command with one line and a hint, exit 2', async () => {
    const cli = io();
    expect(await run(['deploy', 'sample'], cli)).toBe(2);
    expect(cli.err()).toBe('shipgate: unknown command "deploy"\nRun "shipgate --help" to see the commands.\n');
  });

  it('answers an unknown option with one line and the usage of the command, exit 2', async () => {
    const cli = io();
    expect(await run(['qa', 'sample', '--fast'], cli)).toBe(2);
    expect(cli.err()).toBe(
      'shipgate: unknown option --fast for "shipgate qa"\nUsage: shipgate qa <repo> [--branch <name>] [--follow] [--json] (see "shipgate qa --help")\n',
    );
  });
});
