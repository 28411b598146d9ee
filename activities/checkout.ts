import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { ActivityDeps } from './deps.js';
import { openGit, resolveCommit } from './git.js';
import type { WorkingCopy } from './working-copy.js';

/**
 * A clean checkout of a release tag, separate from the working copy, for a configured command
 * (deploy, publish) to run in: `<dataDir>/<under…>/<repo>/…/<tag>`. Each kind of step has its own
 * folder (`under`), so the clean of one never pulls the files from under another's command.
 * Every call cleans what an earlier command left there, except node_modules, which is slow to
 * make again and is the command's own business.
 */
export async function checkoutTag(
  deps: Pick<ActivityDeps, 'config'>,
  source: WorkingCopy,
  tag: string,
  sha: string,
  under: [kind: string, ...more: string[]],
): Promise<string> {
  const [kind, ...more] = under;
  const dir = path.join(deps.config.dataDir, kind, source.repo.id, ...more, tag.replace(/[^A-Za-z0-9._-]/g, '_'));
  if (existsSync(path.join(dir, '.git'))) {
    const git = openGit(dir);
    if ((await resolveCommit(git, 'HEAD')) === sha) {
      await git.raw(['checkout', '--quiet', '--force', '--detach', sha]);
      await git.raw(['clean', '--quiet', '-d', '--force', '-x', '--exclude=node_modules']);
      return dir;
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(path.dirname(dir), { recursive: true });
  await execa('git', ['clone', '--quiet', '--shared', '--no-checkout', '--', source.dir, dir]);
  await execa('git', ['checkout', '--quiet', '--detach', sha], { cwd: dir });
  return dir;
}
