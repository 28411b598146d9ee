import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { inject } from 'vitest';
import { locateTemporalCli } from '../../devserver/temporal-cli.js';

/** Where the replay test finds the recorded histories. */
export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

/** `temporal workflow <args>` against the shared dev server, as an operator would type it; its stdout. */
export async function temporalWorkflowCommand(...args: string[]): Promise<string> {
  const cli = await locateTemporalCli();
  if (cli?.type !== 'path') throw new Error('no Temporal CLI found');
  const { stdout } = await execa(cli.path, ['workflow', ...args, '--address', inject('temporalAddress')]);
  return stdout;
}

/** Saves a run's history as `<name>.json` for the replay test, exported with `temporal workflow show --output json`. */
export async function saveHistory(name: string, workflowId: string): Promise<void> {
  const history = await temporalWorkflowCommand('show', '--workflow-id', workflowId, '--output', 'json');
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(path.join(HISTORIES_DIR, `${name}.json`), `${history.trim()}\n`);
}
