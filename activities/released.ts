import { tagName } from '../domain/bump.js';
import type { ErrorCode } from '../domain/errors.js';
import { parseQaReport } from '../context/report.js';
import type { RepoConfig } from '../config/types.js';
import { isAncestor, openGit, resolveCommit } from './git.js';
import { RELEASE_FILES, releaseCommitMessage } from './release.js';
import type { ReportKeys } from './report-signing.js';
import { verifyReportFile } from './reports.js';

export type ReleaseCheck =
  | { ok: true; tag: string; sha: string; sourceSha: string; report: string }
  | { ok: false; code: Extract<ErrorCode, 'SHIPGATE_TAG_NOT_FOUND' | 'SHIPGATE_NOT_RELEASED'>; reason: string };

/** Reports larger than this are not reports (the same bound as for files in context/). */
const MAX_REPORT_BYTES = 1_000_000;

/**
 * Whether a version is one shipgate released, and so may be deployed, re-deployed or rolled back
 * to. Its tag must sit on shipgate's own release commit (subject `chore(release): <tag>`, first
 * parent the approved source commit, nothing changed but the release files and reports), that
 * commit must be on the release branch as last fetched from the remote, and it must carry a
 * test-pass report signed by this service for the source commit (or its tree). Everything is
 * read from git and the key: the check holds however long ago the release ran.
 *
 * The API asks it for a fast answer and the deploy workflow's resolveRelease asks it again, so a
 * run started any other way is refused too.
 */
export async function checkRelease(
  dir: string,
  repo: RepoConfig,
  version: string,
  keys: ReportKeys,
): Promise<ReleaseCheck> {
  const git = openGit(dir);
  const tag = tagName(version, repo.tagFormat);
  const refuse = (why: string): ReleaseCheck => ({
    ok: false,
    code: 'SHIPGATE_NOT_RELEASED',
    reason: `${tag} of "${repo.id}" is not a release shipgate made: ${why}; only released versions are deployed`,
  });
  const sha = await resolveCommit(git, `refs/tags/${tag}`);
  if (!sha)
    return { ok: false, code: 'SHIPGATE_TAG_NOT_FOUND', reason: `repository "${repo.id}" has no release tag ${tag}` };

  const [subject = '', parents = ''] = (await git.raw(['show', '-s', '--format=%s%n%P', sha, '--'])).split('\n');
  if (subject !== releaseCommitMessage(tag))
    return refuse(`it is on ${sha.slice(0, 7)} "${subject}", not on a "${releaseCommitMessage(tag)}" commit`);
  const sourceSha = parents.split(' ')[0] ?? '';
  if (!/^[0-9a-f]{40}$/.test(sourceSha)) return refuse(`its commit ${sha.slice(0, 7)} has no parent`);

  const branch = `refs/remotes/${repo.remote}/${repo.branch}`;
  if (!(await resolveCommit(git, branch)) || !(await isAncestor(dir, sha, branch))) {
    return refuse(`its commit ${sha.slice(0, 7)} is not on ${repo.remote}/${repo.branch}`);
  }

  const changed = (await git.raw(['diff', '--name-only', '--no-renames', sourceSha, sha, '--']))
    .split('\n')
    .filter(Boolean);
  const foreign = changed.filter(
    (file) => !(RELEASE_FILES as readonly string[]).includes(file) && !/^context\/[^/]+\.md$/.test(file),
  );
  if (foreign.length > 0)
    return refuse(`its commit changes ${foreign.slice(0, 3).join(', ')} besides the release files`);

  const sourceTree = (await git.raw(['rev-parse', `${sourceSha}^{tree}`])).trim();
  const names = (await git.raw(['ls-tree', '--name-only', sha, '--', 'context/']))
    .split('\n')
    .map((f) => f.slice('context/'.length))
    .filter((name) => /^test-pass-.*\.md$/.test(name));
  for (const name of names) {
    const size = Number((await git.raw(['cat-file', '-s', `${sha}:context/${name}`])).trim());
    if (!(size <= MAX_REPORT_BYTES)) continue;
    const text = await git.raw(['cat-file', 'blob', `${sha}:context/${name}`]);
    const parsed = parseQaReport(text, name);
    if (!parsed.ok || !verifyReportFile(name, text, parsed.report.frontMatter.created_at, keys).ok) continue;
    const { commit, tree } = parsed.report.frontMatter;
    if (commit.toLowerCase() === sourceSha || tree.toLowerCase() === sourceTree)
      return { ok: true, tag, sha, sourceSha, report: name };
  }
  return refuse(
    `its commit ${sha.slice(0, 7)} carries no test-pass report signed by this shipgate for ${sourceSha.slice(0, 7)}`,
  );
}
