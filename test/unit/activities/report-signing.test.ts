import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  GENERATED_KEY_FILE,
  loadReportKeys,
  reportKey,
  signReportText,
  verifyReportText,
  type ReportKeys,
} from '../../../activities/report-signing.js';
import { parseConfig } from '../../../config/load.js';
import { parseQaReport, serializeReport } from '../../../context/report.js';
import { qaFrontMatter } from '../context/report-fixtures.js';

const KEY = reportKey('0123456789abcdef0123456789abcdef0123456789abcdef', 'the test');
const OTHER = reportKey('fedcba9876543210fedcba9876543210fedcba9876543210', 'the test');
const KEYS: ReportKeys = { current: KEY, previous: [] };
const REPORT = serializeReport(
  { ...qaFrontMatter(), workflow_id: 'qa:web:9be07d2', run_id: 'run-1' },
  '# QA passed\n\n118 of 120 tests passed.\n',
);

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-keys-'));
  dirs.push(dir);
  return dir;
}
function configIn(dir: string, extra: object = {}) {
  return parseConfig(stringify({ dataDir: dir, repositories: [], ...extra }), { file: null, cwd: dir, env: {} });
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('signReportText and verifyReportText', () => {
  it('signs with the key id in the last front matter line, and verifies with nothing but the text and the key', () => {
    const signed = signReportText(REPORT, KEYS);
    expect(signed.split('\n').filter((line) => line.startsWith('signature: '))).toEqual([
      expect.stringMatching(new RegExp(`^signature: hmac-sha256:${KEY.id}:[0-9a-f]{64}$`)),
    ]);
    expect(KEY.id).toMatch(/^[0-9a-f]{8}$/);
    expect(signed.split('\n').indexOf('---', 1) - 1).toBe(
      signed.split('\n').findIndex((line) => line.startsWith('signature: ')),
    );
    expect(verifyReportText(signed, KEYS)).toEqual({ ok: true, keyId: KEY.id });
    // Still a well-formed report: the signature is one more front matter field.
    const parsed = parseQaReport(signed, 'test-pass-20251013-234559.md');
    expect(parsed.ok && parsed.report.frontMatter.signature).toMatch(/^hmac-sha256:/);
  });

  it('refuses the report when any one byte of it changes', () => {
    const signed = signReportText(REPORT, KEYS);
    const offsets = [4, signed.indexOf('commit: ') + 9, signed.indexOf('# QA passed') + 3, signed.length - 2];
    for (const offset of offsets) {
      const code = signed.charCodeAt(offset);
      const changed = `${signed.slice(0, offset)}${String.fromCharCode(code === 0x61 ? 0x62 : 0x61)}${signed.slice(offset + 1)}`;
      const verdict = verifyReportText(changed, KEYS);
      expect(verdict.ok, `a change at byte ${offset}`).toBe(false);
    }
    expect(verifyReportText(`${signed}extra\n`, KEYS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match the content/),
    });
  });

  it('takes CRLF line endings and a BOM as the same text', () => {
    const signed = signReportText(REPORT, KEYS);
    expect(verifyReportText(`\uFEFF${signed.replace(/\n/g, '\r\n')}`, KEYS)).toEqual({ ok: true, keyId: KEY.id });
  });

  it('says why an unsigned report, a moved signature line, or another key does not verify', () => {
    expect(verifyReportText(REPORT, KEYS)).toEqual({ ok: false, reason: 'not signed' });
    const signed = signReportText(REPORT, KEYS);
    const line = signed.split('\n').find((l) => l.startsWith('signature: '))!;
    const moved = signed.replace(`${line}\n`, '').replace('---\n', `---\n${line}\n`);
    expect(verifyReportText(moved, KEYS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not the last line/),
    });
    expect(verifyReportText(signReportText(REPORT, { current: OTHER, previous: [] }), KEYS)).toEqual({
      ok: false,
      reason: `signed with key ${OTHER.id}, which this shipgate does not hold (it holds ${KEY.id})`,
    });
    expect(() => signReportText(signed, KEYS)).toThrow(/already signed/);
  });

  it('verifies reports of a previous key after a rotation, and signs only with the current one', () => {
    const old = signReportText(REPORT, { current: OTHER, previous: [] });
    const rotated: ReportKeys = { current: KEY, previous: [OTHER] };
    expect(verifyReportText(old, rotated)).toEqual({ ok: true, keyId: OTHER.id });
    expect(signReportText(REPORT, rotated)).toContain(`hmac-sha256:${KEY.id}:`);
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => reportKey('short', 'SHIPGATE_REPORT_KEY')).toThrow(
      /SHIPGATE_REPORT_KEY is 5 characters long; it must have at least 32/,
    );
  });
});

describe('loadReportKeys', () => {
  it('generates a key into the data folder with mode 600 on first start, and reuses it on the next', async () => {
    const dir = await dataDir();
    const first = await loadReportKeys(configIn(dir), {});
    const file = path.join(dir, GENERATED_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const again = await loadReportKeys(configIn(dir), {});
    expect(again.current.id).toBe(first.current.id);
    expect(verifyReportText(signReportText(REPORT, first), again)).toEqual({ ok: true, keyId: first.current.id });
  });

  it('gives one key to a worker and an API that start at the same moment', async () => {
    const dir = await dataDir();
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadReportKeys(configIn(dir), {})));
    expect(new Set(loaded.map((keys) => keys.current.id)).size).toBe(1);
  });

  it('refuses a generated key that others can read', async () => {
    const dir = await dataDir();
    await loadReportKeys(configIn(dir), {});
    await chmod(path.join(dir, GENERATED_KEY_FILE), 0o644);
    await expect(loadReportKeys(configIn(dir), {})).rejects.toThrow(
      /can be read by others \(mode 644\); run `chmod 600/,
    );
  });

  it('takes SHIPGATE_REPORT_KEY first, then the configured key file, with previous keys for verification only', async () => {
    const dir = await dataDir();
    await writeFile(path.join(dir, 'current.key'), `${'c'.repeat(40)}\n`);
    await writeFile(path.join(dir, 'old.key'), `${'o'.repeat(40)}\n`);
    const config = configIn(dir, { reports: { keyFile: 'current.key', previousKeyFiles: ['old.key'] } });
    const fromFile = await loadReportKeys(config, { SHIPGATE_REPORT_PREVIOUS_KEYS: `${'p'.repeat(40)}, ` });
    expect(fromFile.current.id).toBe(reportKey('c'.repeat(40), 'x').id);
    expect(fromFile.previous.map((k) => k.id)).toEqual([
      reportKey('o'.repeat(40), 'x').id,
      reportKey('p'.repeat(40), 'x').id,
    ]);
    const fromEnv = await loadReportKeys(config, { SHIPGATE_REPORT_KEY: 'e'.repeat(40) });
    expect(fromEnv.current.id).toBe(reportKey('e'.repeat(40), 'x').id);
    // Neither asked for a generated key.
    await expect(stat(path.join(dir, GENERATED_KEY_FILE))).rejects.toThrow(/ENOENT/);
  });
});
