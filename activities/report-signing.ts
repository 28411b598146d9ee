import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ShipgateConfig } from '../config/types.js';

/**
 * Reports are signed so that only shipgate can approve a release: anyone who can write to a
 * working copy can write a file into context/, but not one that verifies without the key.
 *
 * The signature is the last line of the front matter:
 *
 *     signature: hmac-sha256:<key id>:<64 hex digits>
 *
 * It is an HMAC-SHA256, under the key, of the report's canonical text: the file as UTF-8 with a
 * leading BOM removed, every CRLF or CR turned into LF, and that one signature line taken out.
 * Any other change to any byte breaks it. The key id is the first 8 hex digits of the SHA-256 of
 * the key, so a report signed with a key this service does not hold says which key it was.
 * Verification needs the file and the key only, never the run that wrote it: a report stays
 * verifiable long after Temporal's retention has dropped that run.
 */
export interface ReportKey {
  id: string;
  secret: Buffer;
}

export interface ReportKeys {
  /** Signs every new report. */
  current: ReportKey;
  /** Earlier keys, kept after a rotation to verify the reports they signed; never used to sign. */
  previous: ReportKey[];
}

export type ReportVerification = { ok: true; keyId: string } | { ok: false; reason: string };

/** Where a key is generated when none is configured. */
export const GENERATED_KEY_FILE = 'report-key';

const MIN_KEY_LENGTH = 32;
const SIGNATURE_LINE = /^signature: hmac-sha256:([0-9a-f]{8}):([0-9a-f]{64})$/;
const FENCE = '---';

export function reportKey(material: string, source: string): ReportKey {
  const secret = material.trim();
  if (secret.length < MIN_KEY_LENGTH) {
    throw new Error(
      `the report key from ${source} is ${secret.length} characters long; it must have at least ${MIN_KEY_LENGTH} (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  const bytes = Buffer.from(secret, 'utf8');
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), secret: bytes };
}

/** The text with its signature line added as the last line of the front matter. */
export function signReportText(text: string, keys: ReportKeys): string {
  const lines = canonicalLines(text);
  const closing = closingFence(lines);
  if (closing === null) throw new Error('a report without front matter cannot be signed');
  if (lines.slice(1, closing).some((line) => line.startsWith('signature:')))
    throw new Error('the report is already signed');
  const canonical = lines.join('\n');
  const line = `signature: hmac-sha256:${keys.current.id}:${mac(keys.current, canonical)}`;
  return [...lines.slice(0, closing), line, ...lines.slice(closing)].join('\n');
}

/** Whether shipgate wrote this text: its signature verifies under the current or a previous key. */
export function verifyReportText(text: string, keys: ReportKeys): ReportVerification {
  const lines = canonicalLines(text);
  const closing = closingFence(lines);
  if (closing === null) return { ok: false, reason: 'no front matter, so no signature' };
  const match = SIGNATURE_LINE.exec(lines[closing - 1] ?? '');
  if (match === null) {
    return lines.slice(1, closing).some((line) => line.startsWith('signature:'))
      ? { ok: false, reason: 'the signature line is malformed or not the last line of the front matter' }
      : { ok: false, reason: 'not signed' };
  }
  const [, keyId = '', hex = ''] = match;
  const key = [keys.current, ...keys.previous].find((candidate) => candidate.id === keyId);
  if (key === undefined) {
    const held = [keys.current, ...keys.previous].map((k) => k.id).join(', ');
    return { ok: false, reason: `signed with key ${keyId}, which this shipgate does not hold (it holds ${held})` };
  }
  const canonical = [...lines.slice(0, closing - 1), ...lines.slice(closing)].join('\n');
  const expected = Buffer.from(mac(key, canonical), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex')))
    return {
      ok: false,
      reason: `the signature does not match the content (key ${keyId}): the file was changed after shipgate wrote it`,
    };
  return { ok: true, keyId };
}

/**
 * The keys of this service, read once at start: `SHIPGATE_REPORT_KEY`, else the file named by
 * `reports.keyFile`, else `<dataDir>/report-key`, generated (mode 600) on first start. Earlier
 * keys for verification come from `reports.previousKeyFiles` and `SHIPGATE_REPORT_PREVIOUS_KEYS`
 * (comma-separated).
 */
export async function loadReportKeys(
  config: ShipgateConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReportKeys> {
  let current: ReportKey;
  if (env.SHIPGATE_REPORT_KEY) current = reportKey(env.SHIPGATE_REPORT_KEY, 'SHIPGATE_REPORT_KEY');
  else if (config.reports.keyFile)
    current = reportKey(await readKeyFile(config.reports.keyFile), config.reports.keyFile);
  else current = await generatedKey(path.join(config.dataDir, GENERATED_KEY_FILE));
  const previous: ReportKey[] = [];
  for (const file of config.reports.previousKeyFiles) previous.push(reportKey(await readKeyFile(file), file));
  for (const [index, material] of (env.SHIPGATE_REPORT_PREVIOUS_KEYS ?? '').split(',').entries()) {
    if (material.trim() !== '') previous.push(reportKey(material, `SHIPGATE_REPORT_PREVIOUS_KEYS[${index}]`));
  }
  return { current, previous: previous.filter((key) => key.id !== current.id) };
}

async function readKeyFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the report key file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/**
 * The key in `file`, made on first use. The worker and the API may start together on one host:
 * the key is written to a temporary file and hard-linked into place, which fails if the other
 * was first, so both end up with the same, complete key.
 */
async function generatedKey(file: string): Promise<ReportKey> {
  const existing = await readGeneratedKey(file);
  if (existing !== null) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  // The umask cannot widen a mode given at creation, but it can narrow it; 600 is exact.
  await chmod(temp, 0o600);
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
  const key = await readGeneratedKey(file);
  if (key === null) throw new Error(`the report key ${file} vanished while it was being created`);
  return key;
}

async function readGeneratedKey(file: string): Promise<ReportKey | null> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (info === null) return null;
  // A key others can read lets them sign reports; refuse it rather than trust what it signed.
  if ((info.mode & 0o077) !== 0) {
    throw new Error(
      `the report key ${file} can be read by others (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\``,
    );
  }
  return reportKey(await readKeyFile(file), file);
}

function mac(key: ReportKey, canonical: string): string {
  return createHmac('sha256', key.secret).update(canonical, 'utf8').digest('hex');
}

function canonicalLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
}

function closingFence(lines: readonly string[]): number | null {
  if (lines[0] !== FENCE) return null;
  const index = lines.findIndex((line, i) => i > 0 && line === FENCE);
  return index === -1 ? null : index;
}
