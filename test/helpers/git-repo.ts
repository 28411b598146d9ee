import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface TestRepo {
  /** The working copy shipgate is configured with. */
  dir: string;
  /** A real bare remote, reached over file://. */
  remote: string;
  git: (...args: string[]) => Promise<string>;
  write: (file: string, content: string) => Promise<void>;
  /** Writes the files, commits them with the message, and returns the new SHA. */
  commit: (message: string, files?: Record<string, string>) => Promise<string>;
  push: () => Promise<void>;
  head: () => Promise<string>;
  cleanup: () => Promise<void>;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
};

/**
 * A repository on branch `main` with a bare remote `origin`, both in a fresh temp folder:
 * the initial commit holds `files`, and is pushed.
 */
export async function createTestRepo(
  files: Record<string, string>,
  options: { branch?: string } = {},
): Promise<TestRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'shipgate-test-'));
  const dir = path.join(root, 'work');
  const remoteDir = path.join(root, 'remote.git');
  const branch = options.branch ?? 'main';
  await execa('git', ['init', '--bare', '--initial-branch', branch, remoteDir]);
  await mkdir(dir);
  await execa('git', ['init', '--initial-branch', branch], { cwd: dir });
  await execa('git', ['remote', 'add', 'origin', `file://${remoteDir}`], { cwd: dir });
  const repo = createTestRepoHandle(dir, `file://${remoteDir}`, root, branch);
  await repo.commit('chore: initial commit', { ...files, '.gitignore': 'coverage/\nreports/\nnode_modules/\n' });
  await repo.push();
  return repo;
}

/** Helpers around an existing working copy with a remote `origin`. */
export function createTestRepoHandle(dir: string, remote: string, root: string, branch = 'main'): TestRepo {
  const run = async (cwd: string, args: string[]) => (await execa('git', args, { cwd, env: IDENTITY })).stdout;
  const repo: TestRepo = {
    dir,
    remote,
    git: (...args) => run(dir, args),
    async write(file, content) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    },
    async commit(message, changes = {}) {
      for (const [file, content] of Object.entries(changes)) await repo.write(file, content);
      await run(dir, ['add', '--all', '--', '.', ':!context']);
      await run(dir, ['commit', '--allow-empty', '-q', '-m', message]);
      return repo.head();
    },
    async push() {
      await run(dir, ['push', '-q', 'origin', branch]);
    },
    head: async () => (await run(dir, ['rev-parse', 'HEAD'])).trim(),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return repo;
}

/** What a release wrote for people to read, by where it stands: the changelog, and the message of `tag`. */
export async function releaseTexts(
  repo: TestRepo,
  tag: string,
): Promise<Record<'CHANGELOG.md' | 'the tag message', string>> {
  return {
    'CHANGELOG.md': await readFile(path.join(repo.dir, 'CHANGELOG.md'), 'utf8'),
    'the tag message': await repo.git('tag', '--list', '--format=%(contents)', tag),
  };
}
