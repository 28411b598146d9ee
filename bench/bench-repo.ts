import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Bench Author',
  GIT_AUTHOR_EMAIL: 'bench@example.test',
  GIT_COMMITTER_NAME: 'Bench Author',
  GIT_COMMITTER_EMAIL: 'bench@example.test',
};

export interface BenchRepo {
  /** The working copy shipgate (or the script) releases from. */
  dir: string;
  /** The bare remote `origin`. */
  remote: string;
  git(...args: string[]): Promise<string>;
  /** Writes one file and commits it with the message. */
  commit(message: string, file: string, content: string): Promise<void>;
}

/**
 * A working copy on `main` with a bare remote `origin` under `root/<name>`: one pushed commit,
 * `feat: initial`, so the first release is 1.0.0.
 */
export async function createBenchRepo(root: string, name: string): Promise<BenchRepo> {
  const dir = path.join(root, name, 'work');
  const remote = path.join(root, name, 'remote.git');
  await mkdir(dir, { recursive: true });
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  await execa('git', ['init', '--quiet', '--initial-branch', 'main'], { cwd: dir });
  await execa('git', ['remote', 'add', 'origin', `file://${remote}`], { cwd: dir });
  const repo: BenchRepo = {
    dir,
    remote,
    git: async (...args) => (await execa('git', args, { cwd: dir, env: IDENTITY })).stdout,
    async commit(message, file, content) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
      await repo.git('add', '--', file);
      await repo.git('commit', '--quiet', '-m', message);
    },
  };
  await repo.commit('feat: initial', 'src/index.txt', 'hello\n');
  await repo.git('push', '--quiet', 'origin', 'main');
  return repo;
}
