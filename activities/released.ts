import { tagName } from '../domain/bump.js';
import type { ErrorCode } from '../domain/errors.js';
import { parseQaReport } from '../context/report.js';
import type { RepoConfig } from '../config/types.js';
import { isAncestor, openGit, parseCommit, readObjects } from './git.js';
import { RELEASE_FILES, releaseCommitSubject } from './release.js';
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
  const branch = `refs/remotes/${repo.remote}/${repo.branch}`;
  // The tag's commit and the remote branch in one read; the reports below are read one process each.
  const [tagged, published] = await readObjects(dir, [`refs/tags/${tag}^{commit}`, `${branch}^{commit}`]);
  if (!tagged)
    return { ok: false, code: 'SHIPGATE_TAG_NOT_FOUND', reason: `repository "${repo.id}" has no release tag ${tag}` };
  const sha = tagged.sha;
  const { subject, parents } = parseCommit(tagged);
  if (subject !== releaseCommitSubject(tag))
    return refuse(`it is on ${sha.slice(0, 7)} "${subject}", not on a "${releaseCommitSubject(tag)}" commit`);
  const sourceSha = parents[0] ?? '';
  if (!/^[0-9a-f]{40}$/.test(sourceSha)) return refuse(`its commit ${sha.slice(0, 7)} has no parent`);

  if (!published || !(await isAncestor(dir, sha, published.sha))) {
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

  let sourceTree: string | null = null;
  // `-l` lists each report's size with its name: a report too large to be one is never read.
  const listed = (await git.raw(['ls-tree', '-l', sha, '--', 'context/']))
    .split('\n')
    .map((line) => /^\d+ blob [0-9a-f]+ +(\d+)\tcontext\/(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && /^test-pass-.*\.md$/.test(m[2] ?? ''))
    .map((m) => ({ name: m[2] ?? '', size: Number(m[1]) }));
  // The report the release commit added approved it, as a rule: those first, then the newest first.
  const added = new Set(changed);
  const names = listed
    .filter((r) => r.size <= MAX_REPORT_BYTES)
    .sort(
      (a, b) =>
        Number(added.has(`context/${b.name}`)) - Number(added.has(`context/${a.name}`)) || (a.name < b.name ? 1 : -1),
    )
    .map((r) => r.name);
  for (const name of names) {
    const [blob] = await readObjects(dir, [`${sha}:context/${name}`]);
    if (!blob) continue;
    const text = blob.body;
    const parsed = parseQaReport(text, name);
    if (!parsed.ok || !verifyReportFile(name, text, parsed.report.frontMatter.created_at, keys).ok) continue;
    const { commit, tree } = parsed.report.frontMatter;
    if (commit.toLowerCase() === sourceSha) return { ok: true, tag, sha, sourceSha, report: name };
    sourceTree ??= (await git.raw(['rev-parse', `${sourceSha}^{tree}`])).trim();
    if (tree.toLowerCase() === sourceTree) return { ok: true, tag, sha, sourceSha, report: name };
  }
  return refuse(
    `its commit ${sha.slice(0, 7)} carries no test-pass report signed by this shipgate for ${sourceSha.slice(0, 7)}`,
  );
}
