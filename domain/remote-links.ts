import hostedGitInfo from 'hosted-git-info';

/** Web links into a hosted repository, for changelog entries. */
export interface RemoteLinks {
  host: 'github' | 'gitlab';
  /** e.g. `https://github.com/o/r`, never with credentials. */
  repoUrl: string;
  commit(sha: string): string;
  compare(fromTag: string, toTag: string): string;
  /**
   * The page of an issue or pull request named in commit text: `#123` on both hosts (GitHub
   * serves pull requests at their issue URL too), `!123` a GitLab merge request. Null for a
   * prefix the host does not use.
   */
  reference(prefix: '#' | '!', number: string): string | null;
}

// hosted-git-info also reads `o/r` and `github:o/r` as GitHub shortcuts, which would turn a
// local relative path into links to a stranger's repository; only real remote URLs qualify.
const REMOTE_URL = /^(?:https?:\/\/|ssh:\/\/|git\+ssh:\/\/|git:\/\/|[\w.-]+@[\w.-]+:)/i;

/** Links for a GitHub or GitLab remote; null for any other host, a local path or `file://`. */
export function remoteLinks(remoteUrl: string | null | undefined): RemoteLinks | null {
  const url = remoteUrl?.trim();
  if (!url || !REMOTE_URL.test(url)) return null;
  const info = hostedGitInfo.fromUrl(url, { noCommittish: true });
  if (!info || (info.type !== 'github' && info.type !== 'gitlab')) return null;

  const host = info.type;
  // Built from the parts rather than `info.browse()` so a token in an https remote can never leak.
  const repoUrl = `https://${info.domain}/${info.user}/${info.project}`;
  const section = host === 'gitlab' ? '/-' : '';
  return {
    host,
    repoUrl,
    commit: (sha) => `${repoUrl}${section}/commit/${encodeRef(sha)}`,
    compare: (fromTag, toTag) => `${repoUrl}${section}/compare/${encodeRef(fromTag)}...${encodeRef(toTag)}`,
    reference: (prefix, number) => {
      if (!/^[0-9]+$/.test(number)) return null;
      if (prefix === '#') return `${repoUrl}${section}/issues/${number}`;
      return host === 'gitlab' ? `${repoUrl}/-/merge_requests/${number}` : null;
    },
  };
}

// Tags may contain `/`, which the hosts expect unescaped; parentheses would end a Markdown link.
function encodeRef(ref: string): string {
  return encodeURIComponent(ref).replaceAll('%2F', '/').replaceAll('(', '%28').replaceAll(')', '%29');
}
