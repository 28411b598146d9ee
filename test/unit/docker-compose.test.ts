import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTE_NAMES } from '../../vocabulary/search-attributes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

interface ComposeService {
  image?: string;
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
  return spawnSync(cli.command, [...cli.prefix, '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: root, env, encoding: 'utf8' });
}

describe('docker-compose.yml, as Compose reads it', () => {
  const cli = composeCommand();
  const secrets = { SHIPGATE_API_TOKEN: 'x', TEMPORAL_DB_PASSWORD: 'x' };

  if ('reason' in cli) {
    console.info(`docker-compose config not checked: ${cli.reason}`);
    it.skip('is a valid Compose file', () => {});
    it.skip('refuses to start without an API token', () => {});
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
});

describe('docker-compose.yml, as a description of the stack', () => {
  it('runs PostgreSQL, Temporal, its setup job and UI, the worker and the API', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
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

  it('gives the worker and the API the same repositories and data volumes, and a read-only config', () => {
    for (const name of ['worker', 'api']) {
      const volumes = service(name).volumes ?? [];
      expect(volumes).toContain('repositories:/srv/repositories');
      expect(volumes).toContain('shipgate-data:/var/lib/shipgate');
      expect(volumes).toContainEqual({ type: 'bind', source: './shipgate.config.yaml', target: '/etc/shipgate/shipgate.config.yaml', read_only: true });
      expect(service(name).environment).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        SHIPGATE_CONFIG: '/etc/shipgate/shipgate.config.yaml',
        SHIPGATE_DATA_DIR: '/var/lib/shipgate',
      });
    }
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['repositories', 'shipgate-data']));
  });

  it('starts the worker and the API from the same image with their own entry points', () => {
    expect(service('worker').command).toEqual(['node', 'dist/worker/main.js']);
    expect(service('api').command).toEqual(['node', 'dist/api/server.js']);
    expect(service('worker').image).toBe(service('api').image);
    expect(service('worker').environment?.SHIPGATE_WORKER_ID).toBe('worker-1');
    expect(service('api').environment?.SHIPGATE_API_HOST).toBe('0.0.0.0');
    expect(service('api').healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/healthz');
  });

  it('hard-codes no secret: tokens and passwords come from the environment and are required', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (/(TOKEN|PASSWORD|PWD|SECRET)/.test(key)) {
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
