import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredDataDir } from '../../../config/data-dir.js';
import { loadConfigFile } from '../../../config/load.js';

const repo = (extra: string) =>
  `repositories:\n  - id: webshop\n    path: ./webshop\n    test: { command: [npm, test] }\n${extra}`;

describe('configuredDataDir', () => {
  it('finds the same data folder as the full load, for the file and for SHIPGATE_DATA_DIR', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-data-dir-'));
    const file = path.join(dir, 'shipgate.config.yaml');
    await writeFile(file, repo('dataDir: state\n'));
    for (const env of [{ SHIPGATE_CONFIG: file }, { SHIPGATE_CONFIG: file, SHIPGATE_DATA_DIR: 'elsewhere' }]) {
      const loaded = await loadConfigFile({ env, cwd: os.tmpdir() });
      expect(configuredDataDir({ env, cwd: os.tmpdir() })).toBe(loaded.dataDir);
    }
    expect(configuredDataDir({ env: { SHIPGATE_CONFIG: file } })).toBe(path.join(dir, 'state'));
  });

  it('reads only dataDir, so a configuration that would not load still names its folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-data-dir-'));
    const file = path.join(dir, 'shipgate.config.yaml');
    await writeFile(file, 'dataDir: /srv/shipgate\nrepositories: 5\n');
    expect(configuredDataDir({ env: { SHIPGATE_CONFIG: file } })).toBe('/srv/shipgate');
  });

  it('falls back to ./data, as npm start does without a configuration file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-data-dir-'));
    expect(configuredDataDir({ env: {}, cwd: dir })).toBe(path.join(dir, 'data'));
    expect(configuredDataDir({ env: { SHIPGATE_CONFIG: path.join(dir, 'missing.yaml') }, cwd: dir })).toBe(
      path.join(dir, 'data'),
    );
  });
});
