import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureSample } from '../../../sample/create-sample.js';
import { startNpmRegistry, type NpmRegistry } from '../../helpers/npm-registry.js';

let registry: NpmRegistry;
const cleanups: string[] = [];

beforeAll(async () => {
  registry = await startNpmRegistry();
});

afterAll(async () => {
  await registry?.stop();
  for (const dir of cleanups) await rm(dir, { recursive: true, force: true });
});

/** A package folder `npm publish` accepts: a name, a version and the files it ships. */
async function packageDir(name: string, version: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-package-'));
  cleanups.push(dir);
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version, files: ['index.js'] }, null, 2));
  await writeFile(path.join(dir, 'index.js'), 'export const greeting = "hello";\n');
  return dir;
}

function npm(args: string[], cwd = os.tmpdir()) {
  return execa('npm', [...args, '--userconfig', registry.userconfig], {
    cwd,
    env: registry.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
}

describe('the tests npm registry', () => {
  test('npm publish lands a version that npm view then reports', async () => {
    const dir = await packageDir('shipgate-probe', '1.0.0');
    const published = await npm(['publish'], dir);
    expect(published.exitCode, published.stderr).toBe(0);
    expect(published.stdout).toContain('+ shipgate-probe@1.0.0');
    expect(registry.publishAttempts()).toBe(1);

    const view = await npm(['view', 'shipgate-probe@1.0.0', 'version']);
    expect(view.exitCode, view.stderr).toBe(0);
    expect(view.stdout.trim()).toBe('1.0.0');
    expect(await registry.versions('shipgate-probe')).toEqual(['1.0.0']);
  });

  test('npm view of a version the registry lacks prints nothing on stdout: a check must look for the version', async () => {
    const missingVersion = await npm(['view', 'shipgate-probe@9.9.9', 'version']);
    expect(missingVersion.stdout).toBe('');
    // npm 11 also exits 1 with E404 here; older npm exited 0 with empty output.
    expect(missingVersion.stderr).toMatch(/E404|^$/);
    const missingPackage = await npm(['view', 'shipgate-never-published@1.0.0', 'version']);
    expect(missingPackage.stdout).toBe('');
    expect(missingPackage.exitCode).not.toBe(0);
    expect(await registry.versions('shipgate-never-published')).toEqual([]);
  });

  test('a refused publish fails npm publish with the status; the next one lands, once', async () => {
    const dir = await packageDir('@shipgate/refused', '2.0.0');
    const before = registry.publishAttempts();
    registry.refuseNext(1);
    const refused = await npm(['publish', '--access', 'public'], dir);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('503');
    expect(await registry.versions('@shipgate/refused')).toEqual([]);

    const landed = await npm(['publish', '--access', 'public'], dir);
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(registry.publishAttempts() - before).toBe(2);
    expect(await registry.versions('@shipgate/refused')).toEqual(['2.0.0']);
    const view = await npm(['view', '@shipgate/refused@2.0.0', 'version']);
    expect(view.stdout.trim()).toBe('2.0.0');
  });

  test('republishing a version npm view already sees is refused by npm itself, before any upload', async () => {
    const dir = await packageDir('shipgate-probe', '1.0.0');
    const before = registry.publishAttempts();
    const again = await npm(['publish'], dir);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain('cannot publish over the previously published versions');
    expect(registry.publishAttempts()).toBe(before);
    expect(await registry.versions('shipgate-probe')).toEqual(['1.0.0']);
  });

  test('refuseAll refuses every publish until recover, with the status asked for', async () => {
    const dir = await packageDir('shipgate-outage', '0.1.0');
    registry.refuseAll(500);
    for (let i = 0; i < 2; i += 1) {
      const refused = await npm(['publish'], dir);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain('500');
    }
    registry.recover();
    const landed = await npm(['publish'], dir);
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(await registry.versions('shipgate-outage')).toEqual(['0.1.0']);
  });

  test("npm's own retries (when asked for) absorb a single 503: two uploads, one success", async () => {
    const dir = await packageDir('shipgate-retried', '1.2.3');
    const before = registry.publishAttempts();
    registry.refuseNext(1);
    const retried = await npm(
      ['publish', '--fetch-retries=1', '--fetch-retry-mintimeout=50', '--fetch-retry-maxtimeout=100'],
      dir,
    );
    expect(retried.exitCode, retried.stderr).toBe(0);
    expect(registry.publishAttempts() - before).toBe(2);
    expect(await registry.versions('shipgate-retried')).toEqual(['1.2.3']);
  });

  test('the shipped sample application is a package npm publish accepts', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-sample-package-'));
    cleanups.push(root);
    const sample = await ensureSample({ root, port: 0 });
    const published = await npm(['publish'], sample.dir);
    expect(published.exitCode, published.stderr).toBe(0);
    expect(await registry.versions('shipgate-sample')).toEqual(['0.0.0']);
    const contents = await npm(['view', 'shipgate-sample@0.0.0', 'main']);
    expect(contents.stdout.trim()).toBe('src/greeting.js');
  });
});
