import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../../devserver/temporal-server.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../vocabulary/search-attributes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

interface ComposeService {
  image?: string;
  hostname?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

// The file shares settings between worker and api through YAML merge keys (<<: *anchor).
const compose = parse(composeText, { merge: true }) as ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The Compose command line available here, if any; both need no Docker engine for `config`. */
function composeCommand(): { command: string; prefix: string[] } | { reason: string } {
  const candidates = [
    { command: 'docker-compose', prefix: [] },
    { command: 'docker', prefix: ['compose'] },
  ];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate.command, [...candidate.prefix, 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return { reason: 'neither docker-compose nor the docker compose plugin is on PATH' };
}

function runComposeConfig(cli: { command: string; prefix: string[] }, env: NodeJS.ProcessEnv) {
  return spawnSync(cli.command, [...cli.prefix, '-f', 'docker-compose.yml', 'config', '--quiet'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
}

describe('docker-compose.yml, as Compose reads it', () => {
  const cli = composeCommand();
  const secrets = { SHIPGATE_API_TOKEN: 'x', TEMPORAL_DB_PASSWORD: 'x', SHIPGATE_REPORT_KEY: 'x'.repeat(64) };

  if ('reason' in cli) {
    console.info(`docker-compose config not checked: ${cli.reason}`);
    it.skip('is a valid Compose file', () => {});
    it.skip('refuses to start without an API token', () => {});
    it.skip('refuses to start without the shared report key', () => {});
    return;
  }

  it('is a valid Compose file', () => {
    const result = runComposeConfig(cli, { ...process.env, ...secrets });
    expect(result.status, result.stderr).toBe(0);
  });

  it('refuses to start without an API token', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...secrets };
    delete env.SHIPGATE_API_TOKEN;
    const result = runComposeConfig(cli, env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set SHIPGATE_API_TOKEN');
  });

  it('refuses to start without the shared report key', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...secrets };
    delete env.SHIPGATE_REPORT_KEY;
    const result = runComposeConfig(cli, env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set SHIPGATE_REPORT_KEY');
  });
});

/** The worker services, in order: worker-1, worker-2, … */
const WORKER_NAMES = Object.keys(compose.services)
  .filter((name) => /^worker-\d+$/.test(name))
  .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
/** The lane runs three workers; the file describes the same topology. */
const LANE_WORKERS = 3;

describe('docker-compose.yml, as a description of the stack', () => {
  it('runs PostgreSQL, Temporal, its setup job and UI, three workers and the API', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'postgresql',
      'temporal',
      'temporal-setup',
      'temporal-ui',
      'worker-1',
      'worker-2',
      'worker-3',
    ]);
    expect(WORKER_NAMES).toHaveLength(LANE_WORKERS);
  });

  it('runs the Temporal server version the cluster lane runs, on the PostgreSQL major it runs', () => {
    expect(service('temporal').image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    expect(service('temporal-setup').image).toMatch(
      new RegExp(`^temporalio/admin-tools:${TEMPORAL_SERVER_VERSION.replaceAll('.', '\\.')}-`),
    );
    expect(service('temporal').environment?.DB).toBe('postgres12');
    // The lane runs Debian 12's postgresql package, PostgreSQL 15.
    expect(service('postgresql').image).toMatch(/^postgres:15\.\d+$/);
  });

  it('registers every search attribute the workflows set, as Keyword', () => {
    const setup = service('temporal-setup');
    const registered = setup.environment?.SHIPGATE_SEARCH_ATTRIBUTES?.split(/\s+/) ?? [];
    expect(registered).toEqual([...SEARCH_ATTRIBUTE_NAMES]);
    const script = setup.command?.join('\n') ?? '';
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('--type Keyword');
    expect(script).toContain('already exists');
  });

  it('gives every worker a distinct ID and host name, kept across restarts, and its own data volume', () => {
    const ids = WORKER_NAMES.map((name) => service(name).environment?.SHIPGATE_WORKER_ID);
    expect(ids).toEqual(WORKER_NAMES);
    expect(new Set(WORKER_NAMES.map((name) => service(name).hostname)).size).toBe(WORKER_NAMES.length);
    const dataVolumes = [...WORKER_NAMES, 'api'].map((name) =>
      (service(name).volumes ?? []).find((v): v is string => typeof v === 'string' && v.endsWith(':/var/lib/shipgate')),
    );
    expect(dataVolumes).toEqual([
      ...WORKER_NAMES.map((name) => `${name}-data:/var/lib/shipgate`),
      'api-data:/var/lib/shipgate',
    ]);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(dataVolumes.map((v) => v!.split(':')[0])));
  });

  it('gives every worker and the API one report key from the environment, and the same repositories and read-only config', () => {
    for (const name of [...WORKER_NAMES, 'api']) {
      const volumes = service(name).volumes ?? [];
      expect(volumes).toContain('repositories:/srv/repositories');
      expect(volumes).toContainEqual({
        type: 'bind',
        source: './shipgate.config.yaml',
        target: '/etc/shipgate/shipgate.config.yaml',
        read_only: true,
      });
      expect(service(name).environment).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        SHIPGATE_CONFIG: '/etc/shipgate/shipgate.config.yaml',
        SHIPGATE_DATA_DIR: '/var/lib/shipgate',
      });
      expect(service(name).environment?.SHIPGATE_REPORT_KEY, name).toMatch(/^\$\{SHIPGATE_REPORT_KEY:\?[^}]+\}$/);
    }
    expect(Object.keys(compose.volumes)).toContain('repositories');
  });

  it('starts the workers and the API from the same image with their own entry points', () => {
    for (const name of WORKER_NAMES) {
      expect(service(name).command).toEqual(['node', 'dist/worker/main.js']);
      expect(service(name).image).toBe(service('api').image);
    }
    expect(service('api').command).toEqual(['node', 'dist/api/server.js']);
    expect(service('api').environment?.SHIPGATE_API_HOST).toBe('0.0.0.0');
    expect(service('api').healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/healthz');
  });

  it('hard-codes no secret: tokens, keys and passwords come from the environment and are required', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (/(TOKEN|PASSWORD|PWD|SECRET|KEY)/.test(key)) {
          expect(`${name}.${key}=${value}`).toMatch(/=\$\{[A-Z0-9_]+:\?[^}]+\}$/);
        }
      }
    }
  });

  it('pins every third-party image to a version', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build !== undefined) continue;
      expect(`${name}: ${svc.image ?? '(none)'}`).toMatch(/:[^:]*\d+\.\d+[^:]*$/);
    }
  });
});
