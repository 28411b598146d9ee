import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { RepoConfig } from '../config/types.js';
import { ShipgateError } from '../domain/errors.js';
import { openGit } from './working-copy.js';

const SHA = /^[0-9a-f]{40}$/;

/**
 * The commit a QA run should test, decided from the configuration alone: HEAD of the configured
 * working copy, or the tip of the configured branch at the configured URL.
 */
export async function headCommit(repo: RepoConfig, log: FastifyBaseLogger): Promise<string> {
  return repo.source.kind === 'path' ? localHead(repo.id, repo.source.path) : remoteHead(repo, repo.source.url, log);
}

async function localHead(repoId: string, dir: string): Promise<string> {
  const problem = await notAWorkingCopy(dir);
  if (problem) throw unavailable(repoId, `${dir} ${problem}`);
  const sha = await openGit(dir)
    .raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])
    .then((out) => out.trim(), () => '');
  if (!SHA.test(sha)) throw unavailable(repoId, `${dir} has no commit checked out`);
  return sha;
}

async function remoteHead(repo: RepoConfig, url: string, log: FastifyBaseLogger): Promise<string> {
  let out: string;
  try {
    out = await openGit(process.cwd()).raw(['ls-remote', '--', url, `refs/heads/${repo.branch}`]);
  } catch (error) {
    // git's message can quote the URL, and a URL can carry credentials: the client gets neither.
    log.warn({ err: error, repoId: repo.id }, 'git ls-remote failed');
    throw unavailable(repo.id, 'its remote URL cannot be read (the server log has the details)');
  }
  const sha = out.split('\t')[0]?.trim() ?? '';
  if (!SHA.test(sha)) throw unavailable(repo.id, `branch ${repo.branch} does not exist at its remote URL`);
  return sha;
}

/** Checked before git runs, so a folder inside some other repository is not mistaken for this one. */
async function notAWorkingCopy(dir: string): Promise<string | null> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => null);
  if (isDir === null) return 'does not exist';
  if (!isDir) return 'is not a directory';
  const hasGit = await access(path.join(dir, '.git')).then(() => true, () => false);
  return hasGit ? null : 'is not a git repository (no .git)';
}

function unavailable(repoId: string, problem: string): ShipgateError {
  return new ShipgateError('SHIPGATE_REPO_UNAVAILABLE', `repository "${repoId}": ${problem}`);
}
