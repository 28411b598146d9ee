import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The workflows module beside this file: compiled JavaScript in dist/, TypeScript in tests. */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}
