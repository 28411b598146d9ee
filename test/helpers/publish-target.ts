import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A stand-in registry for publish steps: a folder that a small node script publishes into (a file
 * per version), refusing while a flag file exists, and a check script that prints the version
 * when it is there. Real processes, run by the worker as any configured command is.
 */
export interface PublishTarget {
  dir: string;
  command: string[];
  check: string[];
  /** While refusing, every publish attempt fails (exit 1) and publishes nothing. */
  refuse(): Promise<void>;
  recover(): Promise<void>;
  /** Every run of the publish command, in order: `<version> refused|published`. */
  attempts(): Promise<string[]>;
  /** How often `version` was written: a registry that takes a version once answers 1. */
  publishedTimes(version: string): Promise<number>;
  /** Puts `version` there as if published before shipgate ran. */
  seed(version: string): Promise<void>;
  cleanup(): Promise<void>;
}

const PUBLISH = `
const fs = require('node:fs');
const path = require('node:path');
const [dir, version] = process.argv.slice(2);
const line = (what) => fs.appendFileSync(path.join(dir, 'attempts.log'), version + ' ' + what + '\\n');
if (fs.existsSync(path.join(dir, 'refuse'))) {
  line('refused');
  console.error('registry: 503 Service Unavailable');
  process.exit(1);
}
const file = path.join(dir, 'published', version);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.appendFileSync(file, 'x');
line('published');
console.log('+ published ' + version);
`;

const CHECK = `
const fs = require('node:fs');
const path = require('node:path');
const [dir, version] = process.argv.slice(2);
if (fs.existsSync(path.join(dir, 'published', version))) console.log(version);
`;

export async function createPublishTarget(): Promise<PublishTarget> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-publish-'));
  await writeFile(path.join(dir, 'publish.cjs'), PUBLISH);
  await writeFile(path.join(dir, 'check.cjs'), CHECK);
  await writeFile(path.join(dir, 'attempts.log'), '');
  const read = async (file: string) => readFile(file, 'utf8').catch(() => '');
  return {
    dir,
    command: [process.execPath, path.join(dir, 'publish.cjs'), dir, '${SHIPGATE_VERSION}'],
    check: [process.execPath, path.join(dir, 'check.cjs'), dir, '${SHIPGATE_VERSION}'],
    refuse: () => writeFile(path.join(dir, 'refuse'), ''),
    recover: () => rm(path.join(dir, 'refuse'), { force: true }),
    attempts: async () => (await read(path.join(dir, 'attempts.log'))).split('\n').filter(Boolean),
    publishedTimes: async (version) => (await read(path.join(dir, 'published', version))).length,
    async seed(version) {
      await mkdir(path.join(dir, 'published'), { recursive: true });
      await appendFile(path.join(dir, 'published', version), 'x');
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Counts the pushes of each ref that reach a bare remote, with a real `post-receive` hook:
 * `pushesOf('refs/tags/v1.0.0')` is how often that tag was pushed.
 */
export async function countRemotePushes(remote: string): Promise<(ref: string) => Promise<number>> {
  const bare = remote.replace(/^file:\/\//, '');
  const log = path.join(bare, 'pushed-refs.log');
  const hook = path.join(bare, 'hooks', 'post-receive');
  await writeFile(hook, `#!/bin/sh\nwhile read old new ref; do echo "$ref" >> "${log}"; done\n`, { mode: 0o755 });
  return async (ref) => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line === ref).length;
}
