import { describe, expect, it } from 'vitest';
import {
  changelogHasVersion,
  extractChangelogEntry,
  prependChangelog,
  renderChangelogEntry,
} from '../../../domain/changelog.js';
import { analyseCommits } from '../../../domain/commits.js';
import { remoteLinks } from '../../../domain/remote-links.js';
import { commit, shaFor } from './commit-fixtures.js';

const GITHUB = 'https://github.com/acme/rocket.git';
const short = (n: number): string => shaFor(n).slice(0, 7);

function entryFor(messages: string[], repoUrl: string | null = null, previousTag: string | null = 'v1.1.0'): string {
  const analysis = analyseCommits(messages.map((message, n) => commit(n, message)));
  return renderChangelogEntry({ version: '1.2.0', date: '2025-10-13', analysis, previousTag, tag: 'v1.2.0', repoUrl });
}

describe('renderChangelogEntry', () => {
  it('writes the sections in a fixed order, each only when it has lines', () => {
    const entry = entryFor([
      'fix(parser): handle CRLF',
      'feat: add --dry-run',
      'perf: cache lookups',
      'feat(api)!: drop v1',
      'docs: typo',
      'Revert "feat: old idea"\n\nThis reverts commit 1234567890.',
    ]);
    expect(entry).toBe(
      [
        '## 1.2.0 (2025-10-13)',
        '',
        '### Breaking Changes',
        '',
        `* **api:** drop v1 (${short(3)})`,
        '',
        '### Features',
        '',
        `* add --dry-run (${short(1)})`,
        `* **api:** drop v1 (${short(3)})`,
        '',
        '### Bug Fixes',
        '',
        `* **parser:** handle CRLF (${short(0)})`,
        '',
        '### Performance',
        '',
        `* cache lookups (${short(2)})`,
        '',
        '### Reverts',
        '',
        `* feat: old idea (${short(5)})`,
        '',
      ].join('\n'),
    );
  });

  it('lists every breaking note of a commit', () => {
    const entry = entryFor(['fix: x\n\nBREAKING CHANGE: first\nBREAKING-CHANGE: second']);
    expect(entry).toContain(`### Breaking Changes\n\n* first (${short(0)})\n* second (${short(0)})\n`);
  });

  it('falls back to the subject when a breaking footer says nothing', () => {
    expect(entryFor(['fix(db): new schema\n\nBREAKING CHANGE:'])).toContain(
      `### Breaking Changes\n\n* **db:** new schema (${short(0)})\n`,
    );
  });

  it('writes only the heading when nothing is notable', () => {
    expect(entryFor(['docs: only docs'])).toBe('## 1.2.0 (2025-10-13)\n');
  });

  it('links the heading to the comparison and each line to its commit for a GitHub remote', () => {
    const entry = entryFor(['feat: add x'], GITHUB);
    expect(entry).toBe(
      '## [1.2.0](https://github.com/acme/rocket/compare/v1.1.0...v1.2.0) (2025-10-13)\n\n' +
        `### Features\n\n* add x ([${short(0)}](https://github.com/acme/rocket/commit/${shaFor(0)}))\n`,
    );
  });

  it('has no compare link on the first release', () => {
    expect(entryFor(['feat: add x'], GITHUB, null)).toMatch(/^## 1\.2\.0 \(2025-10-13\)\n/);
  });

  it('writes no links for a remote it cannot link to', () => {
    const entry = entryFor(['feat: add x'], 'file:///srv/git/rocket.git');
    expect(entry).not.toContain('](');
    expect(entry).toContain(`* add x (${short(0)})`);
  });

  it('renders hostile subjects as inert text', () => {
    const entry = entryFor([
      'feat: <script>alert(1)</script>',
      'feat: [click](javascript:alert(1)) and ![img](http://x/y.png)',
      'feat: `rm -rf` *bold* _em_ | a | b | ~~gone~~ \\ done',
      'feat(<b>x</b>): scoped',
    ]);
    expect(entry).toContain('* &lt;script&gt;alert(1)&lt;/script&gt; (');
    expect(entry).toContain('* \\[click\\](javascript:alert(1)) and !\\[img\\](http://x/y.png) (');
    expect(entry).toContain('* \\`rm -rf\\` \\*bold\\* \\_em\\_ \\| a \\| b \\| \\~\\~gone\\~\\~ \\\\ done (');
    expect(entry).toContain('* **&lt;b&gt;x&lt;/b&gt;:** scoped (');
    expect(entry).not.toMatch(/<[a-z/]/i);
  });

  it('collapses newlines in notes onto one line, and shows other control characters as escapes', () => {
    const entry = entryFor(['fix: x\n\nBREAKING CHANGE: line one\r\n## not a heading\n| a | b |\u0007 \u202eend']);
    expect(entry).toContain(`* line one ## not a heading \\| a \\| b \\|\\\\u0007 &lt;U+202E&gt;end (${short(0)})\n`);
  });
});

describe('remoteLinks', () => {
  it.each([
    'https://github.com/acme/rocket.git',
    'https://github.com/acme/rocket',
    'git@github.com:acme/rocket.git',
    'ssh://git@github.com/acme/rocket.git',
    'git+ssh://git@github.com/acme/rocket.git',
  ])('links %s to github.com/acme/rocket', (url) => {
    const links = remoteLinks(url);
    expect(links?.commit('abc')).toBe('https://github.com/acme/rocket/commit/abc');
    expect(links?.compare('v1.1.0', 'v1.2.0')).toBe('https://github.com/acme/rocket/compare/v1.1.0...v1.2.0');
  });

  it('uses the /-/ paths for GitLab, subgroups included', () => {
    const links = remoteLinks('git@gitlab.com:group/sub/rocket.git');
    expect(links?.commit('abc')).toBe('https://gitlab.com/group/sub/rocket/-/commit/abc');
    expect(links?.compare('v1', 'v2')).toBe('https://gitlab.com/group/sub/rocket/-/compare/v1...v2');
  });

  it('never puts credentials from an https remote into a link', () => {
    expect(remoteLinks('https://bot:s3cret@github.com/acme/rocket.git')?.repoUrl).toBe(
      'https://github.com/acme/rocket',
    );
  });

  it('keeps slashes but escapes parentheses in tag names', () => {
    expect(remoteLinks(GITHUB)?.compare('release/1.0.0', 'x(1)')).toBe(
      'https://github.com/acme/rocket/compare/release/1.0.0...x%281%29',
    );
  });

  it.each([
    'file:///srv/git/rocket.git',
    '/srv/git/rocket.git',
    'acme/rocket',
    'github:acme/rocket',
    'https://git.example.com/acme/rocket.git',
    'https://bitbucket.org/acme/rocket.git',
    '',
    null,
  ])('gives no links for %j', (url) => {
    expect(remoteLinks(url)).toBeNull();
  });
});

const ENTRY_120 = '## [1.2.0](https://x/compare/v1.1.0...v1.2.0) (2025-10-13)\n\n### Features\n\n* b (def5678)\n';
const ENTRY_110 = '## 1.1.0 (2025-09-01)\n\n### Features\n\n* a (abc1234)\n';

describe('prependChangelog', () => {
  it('creates the changelog when there is none', () => {
    expect(prependChangelog(null, ENTRY_110)).toBe(`# Changelog\n\n${ENTRY_110}`);
    expect(prependChangelog('  \n', ENTRY_110)).toBe(`# Changelog\n\n${ENTRY_110}`);
  });

  it('puts the new entry above the previous one, one blank line apart', () => {
    const existing = prependChangelog(null, ENTRY_110);
    expect(prependChangelog(existing, ENTRY_120)).toBe(`# Changelog\n\n${ENTRY_120}\n${ENTRY_110}`);
  });

  it('keeps the text under the title above the entries', () => {
    const existing = `# Changelog\n\nAll notable changes are listed here.\n\n\n\n${ENTRY_110}\n\n`;
    expect(prependChangelog(existing, ENTRY_120)).toBe(
      `# Changelog\n\nAll notable changes are listed here.\n\n${ENTRY_120}\n${ENTRY_110}`,
    );
  });

  it('adds the first entry below a title that has none yet', () => {
    expect(prependChangelog('# Changelog\n', ENTRY_110)).toBe(`# Changelog\n\n${ENTRY_110}`);
  });

  it('puts the entry at the top when the file has no title', () => {
    expect(prependChangelog(ENTRY_110, ENTRY_120)).toBe(`${ENTRY_120}\n${ENTRY_110}`);
  });

  it('does not mistake an old-style `# [2.0.0]` major entry for the title', () => {
    const major = '# [2.0.0](https://x) (2025-01-01)\n\n* big (abc1234)\n';
    expect(prependChangelog(major, ENTRY_120)).toBe(`${ENTRY_120}\n${major}`);
  });
});

describe('changelogHasVersion', () => {
  const text = prependChangelog(prependChangelog(null, ENTRY_110), ENTRY_120);

  it('finds linked and plain entry headings', () => {
    expect(changelogHasVersion(text, '1.2.0')).toBe(true);
    expect(changelogHasVersion(text, '1.1.0')).toBe(true);
  });

  it('does not match a version that only looks alike', () => {
    expect(changelogHasVersion('## 1.2.01 (2025-10-13)\n', '1.2.0')).toBe(false);
    expect(changelogHasVersion('## 11.2.0 (2025-10-13)\n', '1.2.0')).toBe(false);
    expect(changelogHasVersion('## [1.2.0-rc.1](x) (2025-10-13)\n', '1.2.0')).toBe(false);
    expect(changelogHasVersion('## 1x2x0 (2025-10-13)\n', '1.2.0')).toBe(false);
    expect(changelogHasVersion('* fix for 1.2.0 regression\n', '1.2.0')).toBe(false);
  });

  it('lets a retried release see the entry it already wrote', () => {
    const entry = entryFor(['feat: add x'], GITHUB);
    expect(changelogHasVersion(prependChangelog(text, entry), '1.2.0')).toBe(true);
    expect(changelogHasVersion(prependChangelog(null, ENTRY_110), '1.2.0')).toBe(false);
  });
});

describe('extractChangelogEntry', () => {
  const text = prependChangelog(prependChangelog(null, ENTRY_110), ENTRY_120);

  it('returns one entry, heading included, up to the next entry', () => {
    expect(extractChangelogEntry(text, '1.2.0')).toBe(ENTRY_120.trim());
    expect(extractChangelogEntry(text, '1.1.0')).toBe(ENTRY_110.trim());
  });

  it('returns null for a version that has no entry', () => {
    expect(extractChangelogEntry(text, '1.0.0')).toBeNull();
  });
});
