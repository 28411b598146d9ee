import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { inject } from 'vitest';
import { locateTemporalCli } from '../../devserver/temporal-cli.js';

/** Where the replay test finds the recorded histories. */
export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

/**
 * Saves a run's history as `<name>.json` for the replay test, exported the way an operator would:
 * `temporal workflow show --output json`.
 */
export async function saveHistory(name: string, workflowId: string): Promise<void> {
  const cli = await locateTemporalCli();
  if (cli?.type !== 'path') throw new Error('no Temporal CLI');
  const address = inject('temporalAddress');
  const show = ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json'];
  const { stdout } = await execa(cli.path, show);
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(path.join(HISTORIES_DIR, `${name}.json`), `${stdout.trim()}\n`);
}
