import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/**
 * semantic-release is the benchmark's dependency alone: bench/package.json and its lockfile,
 * installed into bench/node_modules with `npm ci --prefix bench` the first time a benchmark
 * needs it. The service, its lockfile and `npm test` never see it.
 */
const BENCH_DIR = fileURLToPath(new URL('../../bench/', import.meta.url));
const BIN = path.join(BENCH_DIR, 'node_modules', 'semantic-release', 'bin', 'semantic-release.js');
export const SEMANTIC_RELEASE_VERSION = '24.2.9';

export async function ensureSemanticRelease(log: (line: string) => void): Promise<string> {
  const installed = await access(BIN).then(
    () => true,
    () => false,
  );
  if (!installed) {
    log(
      `plan: installing semantic-release ${SEMANTIC_RELEASE_VERSION} into bench/node_modules (npm ci --prefix bench)`,
    );
    await execa('npm', ['ci', '--prefix', BENCH_DIR, '--no-audit', '--no-fund', '--ignore-scripts'], {
      stdout: 'ignore',
      stderr: 'inherit',
    });
  }
  return BIN;
}

/**
 * semantic-release's dry run of `dir`'s `main` against the bare remote `remoteUrl` (a file://
 * URL, so nothing goes to the network), with the two plugins that do what shipgate's plan does:
 * the commit analyser (the bump) and the release notes generator (the changelog entry).
 * Resolves with the commits it says it analysed.
 */
export async function semanticReleaseDryRun(bin: string, dir: string, remoteUrl: string): Promise<number> {
  const { stdout } = await execa(
    process.execPath,
    [
      bin,
      '--dry-run',
      '--no-ci',
      '--branches',
      'main',
      '--repository-url',
      remoteUrl,
      '--tag-format',
      'v${version}',
      '--plugins',
      '@semantic-release/commit-analyzer,@semantic-release/release-notes-generator',
    ],
    // Without CI variables semantic-release cannot take this for a CI run of some other branch.
    { cwd: dir, env: { CI: '', GITHUB_ACTIONS: '', NO_COLOR: '1' }, extendEnv: true },
  );
  const analysed = /Analysis of (\d+) commits complete/.exec(stdout)?.[1];
  if (!analysed) throw new Error(`semantic-release did not analyse the commits:\n${stdout.slice(-2000)}`);
  return Number(analysed);
}
