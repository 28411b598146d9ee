import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The workflow interceptors (who asked, passed on to each activity), bundled with the workflows. */
export function workflowInterceptorModules(): string[] {
  const js = fileURLToPath(new URL('../workflows/interceptors.js', import.meta.url));
  return [existsSync(js) ? js : fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url))];
}

/** The workflows module beside this file: compiled JavaScript in dist/, TypeScript in tests. */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}
