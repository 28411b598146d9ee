import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Yaml from 'yaml';

// Loaded only when there is a file to read: the YAML parser alone adds ~80 ms to every CLI start.
const loadYaml = () => createRequire(import.meta.url)('yaml') as typeof Yaml;

/** Kept apart from load.ts so the CLI reads its data folder without loading the schema validator. */
export const DEFAULT_CONFIG_FILE = 'shipgate.config.yaml';
/** Relative to the configuration file; the schema documents it as the default of `dataDir`. */
export const DEFAULT_DATA_DIR = 'data';

/**
 * The data folder `npm start` uses, for programs on the same machine that need only that (the
 * CLI, for the token saved there): the configuration file's `dataDir` is read and nothing else
 * is checked, so a configuration the CLI has no use for cannot stop it.
 */
export function configuredDataDir(options: { env: Record<string, string | undefined>; cwd?: string }): string {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.env.SHIPGATE_CONFIG || DEFAULT_CONFIG_FILE);
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = loadYaml().parse(text);
  } catch {
    // No file (npm start then writes a sample config with the default folder) or no YAML.
    return resolveDataDir(cwd, options.env, undefined);
  }
  const dataDir = typeof raw === 'object' && raw !== null ? (raw as { dataDir?: unknown }).dataDir : undefined;
  return resolveDataDir(
    path.dirname(file),
    options.env,
    typeof dataDir === 'string' && dataDir !== '' ? dataDir : undefined,
  );
}

export function resolveDataDir(
  base: string,
  env: Record<string, string | undefined>,
  dataDir: string | undefined,
): string {
  return path.resolve(base, env.SHIPGATE_DATA_DIR ?? dataDir ?? DEFAULT_DATA_DIR);
}
