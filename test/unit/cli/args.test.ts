import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError, type Invocation } from '../../../cli/args.js';

function invocation(argv: string[], env: Record<string, string> = {}): Invocation {
  const parsed = parseCommandLine(argv, env);
  if (parsed.kind !== 'run') throw new Error(`expected a command, got help for ${argv.join(' ')}`);
  return parsed.invocation;
}

function help(argv: string[]): { text: string; exitCode: number } {
  const parsed = parseCommandLine(argv, {});
  if (parsed.kind !== 'help') throw new Error(`expected help for ${argv.join(' ')}`);
  return parsed;
}

function usageError(argv: string[], env: Record<string, string> = {}): UsageError {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('reads every command with its options', () => {
    expect(invocation(['release', 'sample']).command).toEqual({
      name: 'release',
      repo: 'sample',
      bump: null,
      branch: null,
      deploy: true,
      follow: false,
    });
    expect(invocation(['release', 'sample', '--bump', 'minor', '--no-deploy', '--follow']).command).toEqual({
      name: 'release',
      repo: 'sample',
      bump: 'minor',
      branch: null,
      deploy: false,
      follow: true,
    });
    expect(invocation(['release', 'sample', '--bump=2.0.0']).command).toMatchObject({ bump: '2.0.0' });
    expect(invocation(['qa', 'sample', '--follow']).command).toEqual({
      name: 'qa',
      repo: 'sample',
      branch: null,
      follow: true,
    });
    expect(invocation(['plan', 'sample', '--bump', 'patch']).command).toEqual({
      name: 'plan',
      repo: 'sample',
      bump: 'patch',
      branch: null,
      all: false,
    });
    expect(invocation(['plan', 'sample', '--branch', 'beta']).command).toMatchObject({ branch: 'beta' });
    expect(invocation(['release', 'sample', '--branch=1.x']).command).toMatchObject({ branch: '1.x', bump: null });
    expect(invocation(['qa', 'sample', '--branch', 'feature/x']).command).toMatchObject({ branch: 'feature/x' });
    expect(invocation(['plan', 'sample', '--all']).command).toMatchObject({ name: 'plan', all: true });
    expect(invocation(['status', 'qa:sample:abc', '--follow']).command).toEqual({
      name: 'status',
      id: 'qa:sample:abc',
      kind: 'qa',
      run: null,
      follow: true,
    });
    expect(invocation(['status', 'deploy:sample:production']).command).toEqual({
      name: 'status',
      id: 'deploy:sample:production',
      kind: 'deploy',
      run: null,
      follow: false,
    });
    expect(invocation(['list']).command).toEqual({ name: 'list', repo: null, status: null });
    expect(invocation(['list', '--repo', 'sample', '--status', 'failed']).command).toEqual({
      name: 'list',
      repo: 'sample',
      status: 'failed',
    });
    for (const name of ['retry', 'rollback', 'abandon'] as const) {
      expect(invocation([name, 'release:sample']).command).toEqual({ name, id: 'release:sample', kind: 'release' });
      expect(invocation([name, 'deploy:sample:production']).command).toEqual({
        name,
        id: 'deploy:sample:production',
        kind: 'deploy',
      });
    }
    expect(invocation(['reports', 'sample']).command).toEqual({ name: 'reports', repo: 'sample' });
    expect(invocation(['repos']).command).toEqual({ name: 'repos' });
    expect(invocation(['deployments', 'sample']).command).toEqual({ name: 'deployments', repo: 'sample', limit: null });
    expect(invocation(['deployments', 'sample', '--limit', '5']).command).toEqual({
      name: 'deployments',
      repo: 'sample',
      limit: 5,
    });
  });

  it('refuses a --limit that is not a whole number from 1 to 999', () => {
    for (const limit of ['0', '-1', 'ten', '1000', '2.5']) {
      expect(() => invocation(['deployments', 'sample', '--limit', limit]), limit).toThrow(/--limit/);
    }
  });

  it('takes --json on every command', () => {
    expect(invocation(['repos', '--json']).json).toBe(true);
    expect(invocation(['retry', 'release:sample', '--json']).json).toBe(true);
    expect(invocation(['repos']).json).toBe(false);
  });

  it('takes the API URL and token from the options first, then the environment, then the defaults', () => {
    expect(invocation(['repos'], { SHIPGATE_DATA_DIR: '/nonexistent/shipgate' })).toMatchObject({
      apiUrl: 'http://127.0.0.1:3000',
      token: null,
      intervalMs: 1000,
    });
    const env = { SHIPGATE_API_URL: 'http://shipgate.test:8080/', SHIPGATE_API_TOKEN: 'from-env' };
    expect(invocation(['repos'], env)).toMatchObject({ apiUrl: 'http://shipgate.test:8080', token: 'from-env' });
    expect(invocation(['repos', '--api', 'https://other.test', '--token', 'flag'], env)).toMatchObject({
      apiUrl: 'https://other.test',
      token: 'flag',
    });
  });

  it('finds the token npm start saved in the dataDir of the configuration file, relative to that file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-config-'));
    const file = path.join(dir, 'shipgate.config.yaml');
    await writeFile(file, 'dataDir: state\nrepositories: []\n');
    await mkdir(path.join(dir, 'state'));
    await writeFile(path.join(dir, 'state', '.api-token'), 'saved-in-state\n');
    expect(invocation(['repos'], { SHIPGATE_CONFIG: file })).toMatchObject({
      token: 'saved-in-state',
      tokenSource: `saved in ${path.join(dir, 'state', '.api-token')}`,
    });
    // As for npm start, SHIPGATE_DATA_DIR wins over the file's dataDir.
    await mkdir(path.join(dir, 'other'));
    await writeFile(path.join(dir, 'other', '.api-token'), 'saved-in-other\n');
    expect(invocation(['repos'], { SHIPGATE_CONFIG: file, SHIPGATE_DATA_DIR: path.join(dir, 'other') })).toMatchObject({
      token: 'saved-in-other',
    });
    expect(invocation(['repos'], { SHIPGATE_CONFIG: file, SHIPGATE_API_TOKEN: 'env' })).toMatchObject({
      token: 'env',
      tokenSource: 'from $SHIPGATE_API_TOKEN',
    });
    expect(invocation(['repos', '--token', 'flag'], { SHIPGATE_CONFIG: file })).toMatchObject({
      token: 'flag',
      tokenSource: 'given with --token',
    });
  });

  it('falls back to the token npm start saved in the data folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shipgate-token-'));
    await writeFile(path.join(dir, '.api-token'), 'saved-token\n');
    expect(invocation(['repos'], { SHIPGATE_DATA_DIR: dir })).toMatchObject({ token: 'saved-token' });
    expect(invocation(['repos'], { SHIPGATE_DATA_DIR: dir, SHIPGATE_API_TOKEN: 'env' })).toMatchObject({
      token: 'env',
    });
  });

  it('accepts the global options before the command too', () => {
    expect(invocation(['--api', 'http://h.test', '--token', 't', 'qa', 'sample', '--interval', '250ms'])).toMatchObject(
      {
        command: { name: 'qa', repo: 'sample' },
        apiUrl: 'http://h.test',
        token: 't',
        intervalMs: 250,
      },
    );
  });

  it('reads --interval in seconds or milliseconds', () => {
    expect(invocation(['status', 'qa:x:y', '--interval', '2']).intervalMs).toBe(2000);
    expect(invocation(['status', 'qa:x:y', '--interval', '1.5s']).intervalMs).toBe(1500);
    expect(invocation(['status', 'qa:x:y', '--interval', '300ms']).intervalMs).toBe(300);
  });

  it('answers help for the program and for each command', () => {
    expect(help(['--help'])).toMatchObject({ exitCode: 0 });
    expect(help(['--help']).text).toContain('Usage: shipgate <command>');
    expect(help(['help', 'plan']).text).toContain('Usage: shipgate plan <repo>');
    expect(help(['release', '-h']).text).toContain('--no-deploy');
    expect(help(['status', '--help']).text).toContain('--interval <duration>');
  });

  it('shows the usage as an error when no command is given', () => {
    expect(help([])).toMatchObject({ exitCode: 2 });
    expect(help([]).text).toContain('Commands:');
  });

  it.each([
    [['deploy', 'sample'], 'unknown command "deploy"', /shipgate --help/],
    [['help', 'deploy'], 'unknown command "deploy"', /shipgate --help/],
    [['qa'], '"shipgate qa" needs <repo>', /^Usage: shipgate qa <repo>/],
    [['qa', 'a', 'b'], '"shipgate qa" takes one <repo>, got 2 arguments', /shipgate qa --help/],
    [['repos', 'extra'], '"shipgate repos" takes no arguments, got "extra"', /^Usage: shipgate repos/],
    [['qa', 'sample', '--nope'], 'unknown option --nope for "shipgate qa"', /shipgate qa --help/],
    [['qa', 'sample', '-x'], 'unknown option -x for "shipgate qa"', /shipgate qa --help/],
    [['plan', 'sample', '--follow'], 'unknown option --follow for "shipgate plan"', /shipgate plan --help/],
    [['repos', '--bump', 'minor'], 'unknown option --bump for "shipgate repos"', /shipgate repos/],
    [['qa', 'sample', '--follow=yes'], '--follow takes no value', /shipgate qa/],
    [['plan', 'sample', '--bump'], '--bump needs a value <major|minor|patch|x.y.z>', /shipgate plan/],
    [['plan', 'sample', '--bump', '--json'], '--bump needs a value <major|minor|patch|x.y.z>', /shipgate plan/],
    [
      ['release', 'sample', '--bump', 'huge'],
      '--bump must be major, minor, patch or a version like 1.2.3, got "huge"',
      /shipgate release/,
    ],
    [['list', '--status', 'open'], '--status must be running, completed or failed, got "open"', /shipgate list/],
    [['plan', 'sample', '--branch'], '--branch needs a value <name>', /shipgate plan/],
    [
      ['release', 'sample', '--branch', 'beta~1'],
      '--branch must be a branch name such as beta or 1.x, got "beta~1"',
      /shipgate release/,
    ],
    [
      ['qa', 'sample', '--branch', 'be ta'],
      '--branch must be a branch name such as beta or 1.x, got "be ta"',
      /shipgate qa/,
    ],
    [['status', 'sample'], '"sample" is not a workflow ID: expected qa:…, release:… or deploy:…', /shipgate status/],
    [
      ['retry', 'qa:sample:abc'],
      '"qa:sample:abc" is not a release or deployment ID: expected release:<repo> or deploy:<repo>:<environment>',
      /shipgate retry/,
    ],
    [['abandon'], '"shipgate abandon" needs <release-id|deploy-id>', /shipgate abandon/],
    [
      ['plan', 'sample', '--bump', '1.2.3+build'],
      '--bump must be major, minor, patch or a version like 1.2.3, got "1.2.3+build"',
      /shipgate plan/,
    ],
    [
      ['qa', 'sample', '--interval', '10ms'],
      '--interval must be a duration of at least 100ms, like 500ms or 2s, got "10ms"',
      /shipgate qa/,
    ],
    [
      ['qa', 'sample', '--interval', 'soon'],
      '--interval must be a duration of at least 100ms, like 500ms or 2s, got "soon"',
      /shipgate qa/,
    ],
    [
      ['repos', '--api', 'localhost:3000'],
      '--api must be an http:// or https:// URL, got "localhost:3000"',
      /shipgate repos/,
    ],
  ])('refuses %j: %s', (argv, message, hint) => {
    const error = usageError(argv);
    expect(error.message).toBe(message);
    expect(error.hint).toMatch(hint);
  });

  it('names SHIPGATE_API_URL when the bad URL comes from there', () => {
    expect(usageError(['repos'], { SHIPGATE_API_URL: 'nope' }).message).toBe(
      'SHIPGATE_API_URL must be an http:// or https:// URL, got "nope"',
    );
  });
});

describe('shipgate watch', () => {
  const watch = (...argv: string[]) =>
    parseCommandLine(['watch', ...argv], { SHIPGATE_DATA_DIR: '/nonexistent/shipgate' });

  it('shows, pauses with a note and resumes', () => {
    expect(watch('webshop')).toMatchObject({
      invocation: { command: { name: 'watch', repo: 'webshop', action: 'show', note: null } },
    });
    expect(watch('webshop', 'pause', 'release', 'freeze')).toMatchObject({
      invocation: { command: { action: 'pause', note: 'release freeze' } },
    });
    expect(watch('webshop', 'resume')).toMatchObject({ invocation: { command: { action: 'resume' } } });
  });

  it('refuses a pause without a note and unknown actions', () => {
    expect(() => watch('webshop', 'pause')).toThrow(/needs a note/);
    expect(() => watch('webshop', 'stop')).toThrow(/takes pause <note> or resume/);
    expect(() => watch()).toThrow(/needs <repo>/);
  });
});
