#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './args.js';
import { UsageError, type CliIo } from './command.js';
import { runCommand } from './commands/index.js';
import { ApiClient, CliError } from './http.js';
import { EXIT } from './outcome.js';
import { shown } from './render.js';

export type { Output } from './follow.js';
export type { CliIo } from './command.js';

/** Runs one command line and answers its exit code; all output goes to `io`, never to the process. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, io.env);
    if (parsed.kind === 'help') {
      (parsed.exitCode === 0 ? io.stdout : io.stderr).write(parsed.text);
      return parsed.exitCode;
    }
    const { command, json, intervalMs, apiUrl, token, tokenSource } = parsed.invocation;
    const api = new ApiClient({ baseUrl: apiUrl, token, ...(tokenSource ? { tokenSource } : {}) });
    return await runCommand(command, { api, io, json, intervalMs });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${shown([`shipgate: ${error.message}`, error.hint]).join('\n')}\n`);
      return EXIT.usage;
    }
    const message =
      error instanceof CliError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    io.stderr.write(`${shown([`shipgate: ${message}`]).join('')}\n`);
    return EXIT.failed;
  }
}

/** True when this file is the program, also through the symlink npm puts on the PATH. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
