import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../devserver/dev-server.js';
import { provisionVerdaccio, withoutProjectNpmEnv } from '../../devserver/verdaccio.js';

export interface NpmRegistry {
  /** The proxy's URL (with a trailing slash): what tests publish to, and what refuses when told to. */
  url: string;
  /** Verdaccio itself, past the proxy (with a trailing slash). */
  directUrl: string;
  /**
   * An .npmrc naming `url` as the registry, with a user's token for it and for `directUrl`, its
   * own npm cache, and `fetch-retries=0` (npm's own retry of a 5xx would hide a refusal).
   */
  userconfig: string;
  /**
   * process.env for an npm child process: `NPM_CONFIG_USERCONFIG` set to `userconfig`, and the
   * `npm_config_userconfig`/`npm_config_cache`/`npm_config_registry` that `npm run` or the machine
   * set removed (npm reads environment keys case-blind, so both spellings would race).
   */
  env: NodeJS.ProcessEnv;
  /** The versions Verdaccio holds for `pkg`, as published (no dist-tags); none for an unknown package. */
  versions(pkg: string): Promise<string[]>;
  /** Publishes (PUT of a package document) that reached the proxy, refused ones included. */
  publishAttempts(): number;
  /** The next `n` publishes are answered with `status` and never reach Verdaccio. */
  refuseNext(n: number, status?: number): void;
  /** Every publish is refused with `status` until `recover()`. */
  refuseAll(status?: number): void;
  recover(): void;
  /** Ends Verdaccio (its whole process group) and the proxy, and removes the temp folders. */
  stop(): Promise<void>;
}

export const REGISTRY_USER = { name: 'shipgate-test', password: 'shipgate-test-password', email: 'test@localhost' };

/** A publish is a PUT of a package document; PUTs under `/-/` are logins, under `/-rev/` unpublishes. */
function isPublish(request: http.IncomingMessage): boolean {
  const pathname = (request.url ?? '/').split('?')[0]!;
  return request.method === 'PUT' && !pathname.startsWith('/-/') && !pathname.includes('/-rev/');
}

/** `@scope/name` travels as `@scope%2fname`, as npm sends it. */
export function packagePath(pkg: string): string {
  return `/${pkg.replace('/', '%2f')}`;
}

function configYaml(root: string): string {
  // No uplinks: nothing is proxied to an outside registry, so an unknown package is a 404.
  const rules = ['"@*/*"', '"**"']
    .map((pattern) =>
      [`  ${pattern}:`, '    access: $all', '    publish: $authenticated', '    unpublish: $authenticated'].join('\n'),
    )
    .join('\n');
  return [
    `storage: ${JSON.stringify(path.join(root, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(root, 'htpasswd'))}`,
    '    max_users: 100',
    'uplinks: {}',
    'packages:',
    rules,
    'publish:',
    '  allow_offline: true',
    'web:',
    '  enable: false',
    'max_body_size: 50mb',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

interface Verdaccio {
  child: ChildProcess;
  exited: Promise<void>;
  url: string;
  output: () => string;
}

async function launch(entry: string, root: string, config: string): Promise<Verdaccio> {
  const port = await freePort();
  // Its own process group, so stop() ends whatever it started with it.
  const child = spawn(process.execPath, [entry, '--config', config, '--listen', `127.0.0.1:${port}`], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, url: `http://127.0.0.1:${port}/`, output: () => output };
}

async function waitUntilAnswering(verdaccio: Verdaccio, withinMs: number): Promise<boolean> {
  let gone = false;
  void verdaccio.exited.then(() => (gone = true));
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline && !gone) {
    try {
      const response = await fetch(`${verdaccio.url}-/ping`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function createUser(directUrl: string): Promise<string> {
  const response = await fetch(`${directUrl}-/user/org.couchdb.user:${REGISTRY_USER.name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...REGISTRY_USER, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || !body.token)
    throw new Error(`creating the registry user answered ${response.status}: ${JSON.stringify(body)}`);
  return body.token;
}

/** A small HTTP proxy in front of Verdaccio that forwards everything, and refuses publishes when told to. */
function startProxy(
  target: URL,
  counters: { attempts: number; refuseLeft: number; refuseAll: boolean; status: number },
) {
  const server = http.createServer((request, response) => {
    if (isPublish(request)) {
      counters.attempts += 1;
      if (counters.refuseAll || counters.refuseLeft > 0) {
        if (!counters.refuseAll) counters.refuseLeft -= 1;
        // Read the whole upload first, as a registry does: npm reports a reset socket, not the status.
        request.resume();
        request.once('end', () => {
          response.writeHead(counters.status, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: `the test registry refuses this publish (${counters.status})` }));
        });
        return;
      }
    }
    // The Host header passes unchanged, so the tarball URLs Verdaccio writes point at the proxy.
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.once('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `the test registry's proxy: ${error.message}` }));
    });
    request.pipe(upstream);
  });
  return new Promise<http.Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
  });
}

/**
 * A real npm registry (Verdaccio, installed once into the cache) on a free loopback port with
 * its own storage and one user, behind a proxy that can refuse publishes. `npm view` against it
 * prints nothing (and exits 0) for a version it does not hold: a check must look for output.
 */
export async function startNpmRegistry(): Promise<NpmRegistry> {
  const entry = await provisionVerdaccio();
  const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-registry-'));
  const config = path.join(root, 'config.yaml');
  await writeFile(config, configYaml(root));
  let verdaccio: Verdaccio | null = null;
  let proxy: http.Server | null = null;
  const stopAll = async () => {
    if (proxy) {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy!.close(resolve));
    }
    if (verdaccio && verdaccio.child.exitCode === null && verdaccio.child.signalCode === null) {
      killGroup(verdaccio.child, 'SIGTERM');
      const ended = await Promise.race([
        verdaccio.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
      ]);
      if (!ended) {
        killGroup(verdaccio.child, 'SIGKILL');
        await verdaccio.exited;
      }
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    // A free port can be taken between the probe and Verdaccio's listen: try another one then.
    for (let attempt = 1; ; attempt += 1) {
      verdaccio = await launch(entry, root, config);
      if (await waitUntilAnswering(verdaccio, 60_000)) break;
      const output = verdaccio.output();
      killGroup(verdaccio.child, 'SIGKILL');
      await verdaccio.exited;
      if (attempt === 3 || !output.includes('EADDRINUSE'))
        throw new Error(`Verdaccio did not start on ${verdaccio.url}:\n${output}`);
    }
    const directUrl = verdaccio.url;
    const token = await createUser(directUrl);
    const counters = { attempts: 0, refuseLeft: 0, refuseAll: false, status: 503 };
    proxy = await startProxy(new URL(directUrl), counters);
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`;
    const userconfig = path.join(root, 'npmrc');
    const authLine = (registry: string) => `${registry.replace(/^https?:/, '')}:_authToken=${token}`;
    await writeFile(
      userconfig,
      [
        `registry=${url}`,
        authLine(url),
        authLine(directUrl),
        // Its own cache: nothing a test publishes lands in the user's, and no stale document is read back.
        `cache=${path.join(root, 'npm-cache')}`,
        // npm retries a refused publish (5xx, 429) by itself, ten seconds later; off, each
        // `npm publish` is one PUT, so refuseNext(n) fails the next n publishes. Pass
        // --fetch-retries to see npm's own retries.
        'fetch-retries=0',
        'audit=false',
        'fund=false',
        'update-notifier=false',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(withoutProjectNpmEnv(process.env))) {
      if (['npm_config_userconfig', 'npm_config_cache', 'npm_config_registry'].includes(key.toLowerCase())) continue;
      env[key] = value;
    }
    env.NPM_CONFIG_USERCONFIG = userconfig;
    return {
      url,
      directUrl,
      userconfig,
      env,
      async versions(pkg) {
        const response = await fetch(`${directUrl.slice(0, -1)}${packagePath(pkg)}`, {
          headers: { accept: 'application/json' },
        });
        if (response.status === 404) return [];
        if (!response.ok) throw new Error(`the registry answered ${response.status} for ${pkg}`);
        return Object.keys(((await response.json()) as { versions?: Record<string, unknown> }).versions ?? {});
      },
      publishAttempts: () => counters.attempts,
      refuseNext(n, status = 503) {
        counters.refuseLeft = n;
        counters.status = status;
      },
      refuseAll(status = 503) {
        counters.refuseAll = true;
        counters.status = status;
      },
      recover() {
        counters.refuseAll = false;
        counters.refuseLeft = 0;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
