import { describe, expect, it } from 'vitest';
import {
  changelogHasVersion,
  extractChangelogEntry,
  prependChangelog,
  renderChangelogEntry,
  type ChangelogEntryInput,
} from '../../../domain/changelog.js';
import { analyseCommits } from '../../../domain/commits.js';
import { remoteLinks } from '../../../domain/remote-links.js';
import { commit, shaFor } from './commit-fixtures.js';

const GITHUB = 'https://github.com/acme/rocket.git';
const short = (n: number): string => shaFor(n).slice(0, 7);

function entryFor(
  messages: string[],
  repoUrl: string | null = null,
  previousTag: string | null = 'v1.1.0',
  options: Pick<ChangelogEntryInput, 'preset' | 'sort'> = {},
): string {
  const analysis = analyseCommits(messages.map((message, n) => commit(n, message)));
  return renderChangelogEntry({
    version: '1.2.0',
    date: '2025-10-13',
    analysis,
    previousTag,
    tag: 'v1.2.0',
    repoUrl,
    ...options,
  });
}

describe('renderChangelogEntry', () => {
  it('writes the sections of the conventionalcommits preset: breaking changes first, then the types in order', () => {
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
        '### ⚠ BREAKING CHANGES',
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
        '### Performance Improvements',
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

  it('writes the angular preset: type sections by title, breaking changes after them', () => {
    const entry = entryFor(['perf: cache', 'feat: add', 'fix!: drop', 'refactor(core)!: split'], null, 'v1.1.0', {
      preset: 'angular',
    });
    expect(entry.match(/^### .*$/gm)).toEqual([
      '### Bug Fixes',
      '### Code Refactoring',
      '### Features',
      '### Performance Improvements',
      '### BREAKING CHANGES',
    ]);
    expect(entry).toContain(`### BREAKING CHANGES\n\n* drop (${short(2)})\n* **core:** split (${short(3)})\n`);
  });

  it('lists a breaking commit of a type that never releases in its own section too', () => {
    const entry = entryFor(['refactor!: rename the config keys', 'chore(deps)!: drop node 18']);
    expect(entry).toBe(
      [
        '## 1.2.0 (2025-10-13)',
        '',
        '### ⚠ BREAKING CHANGES',
        '',
        `* rename the config keys (${short(0)})`,
        `* **deps:** drop node 18 (${short(1)})`,
        '',
        '### Miscellaneous Chores',
        '',
        `* **deps:** drop node 18 (${short(1)})`,
        '',
        '### Code Refactoring',
        '',
        `* rename the config keys (${short(0)})`,
        '',
      ].join('\n'),
    );
  });

  it('lists a commit that a release rule makes count in its type section, and leaves out those that do not count', () => {
    // What a release rule `refactor → patch` makes of the analysis: the entry counts.
    const analysis = analyseCommits(
      ['refactor: split the parser', 'style: tabs', 'wip: try'].map((m, n) => commit(n, m)),
    );
    const entries = analysis.entries.map((entry) =>
      entry.type === 'refactor' || entry.type === 'wip' ? { ...entry, bump: 'patch' as const } : entry,
    );
    const entry = renderChangelogEntry({ version: '1.2.1', date: '2025-10-13', analysis: { entries }, tag: 'v1.2.1' });
    expect(entry).toBe(
      `## 1.2.1 (2025-10-13)\n\n### Code Refactoring\n\n* split the parser (${short(0)})\n\n### wip\n\n* try (${short(2)})\n`,
    );
  });

  it('sorts by scope within each section when asked: scopes in order, unscoped commits last, otherwise as git listed them', () => {
    const messages = [
      'feat: b1',
      'feat(web): w1',
      'feat(API): a1',
      'feat: b2',
      'feat(api): a2',
      'feat(web): w2',
      'feat(Api): a3',
    ];
    const features = (sort: 'none' | 'scope') =>
      (/### Features\n\n([\s\S]*)/.exec(entryFor(messages, null, 'v1.1.0', { sort }))?.[1] ?? '')
        .trim()
        .split('\n')
        .map((line) => line.replace(/ \([0-9a-f]{7}\)$/, ''));
    expect(features('scope')).toEqual([
      '* **API:** a1',
      '* **Api:** a3',
      '* **api:** a2',
      '* **web:** w1',
      '* **web:** w2',
      '* b1',
      '* b2',
    ]);
    expect(features('none')).toEqual(
      messages.map((m) => `* ${m.replace(/^feat(?:\((.*)\))?: /, (_, s) => (s ? `**${s}:** ` : ''))}`),
    );
  });

  it('lists every breaking note of a commit', () => {
    const entry = entryFor(['fix: x\n\nBREAKING CHANGE: first\nBREAKING-CHANGE: second']);
    expect(entry).toContain(`### ⚠ BREAKING CHANGES\n\n* first (${short(0)})\n* second (${short(0)})\n`);
  });

  it('falls back to the subject when a breaking footer says nothing', () => {
    expect(entryFor(['fix(db): new schema\n\nBREAKING CHANGE:'])).toContain(
      `### ⚠ BREAKING CHANGES\n\n* **db:** new schema (${short(0)})\n`,
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

  it('links issue and pull request references in subjects and breaking notes for hosted remotes', () => {
    const entry = entryFor(['feat: add topic (#12)', 'fix: x\n\nBREAKING CHANGE: see #4 and !5'], GITHUB);
    expect(entry).toContain('* add topic ([#12](https://github.com/acme/rocket/issues/12)) (');
    expect(entry).toContain('* see [#4](https://github.com/acme/rocket/issues/4) and !5 (');
    const gitlab = entryFor(['fix: x (!7, #8)'], 'git@gitlab.com:group/rocket.git');
    expect(gitlab).toContain(
      '* x ([!7](https://gitlab.com/group/rocket/-/merge_requests/7), [#8](https://gitlab.com/group/rocket/-/issues/8)) (',
    );
    expect(entryFor(['feat: add topic (#12)'], 'file:///srv/git/rocket.git')).toContain('* add topic (#12) (');
  });

  it('has no compare link on the first release', () => {
    expect(entryFor(['feat: add x'], GITHUB, null)).toMatch(/^## 1\.2\.0 \(2025-10-13\)\n/);
  });

  it('writes no links for a remote it cannot link to', () => {
    const entry = entryFor(['feat: add x'], 'file:///srv/git/rocket.git');
    expect(entry).not.toContain('](');
    expect(entry).toContain(`* add x (${short(0)})`);
  });

  it('renders hostile subjects as inert text, and code as code', () => {
    const entry = entryFor([
      'feat: <script>alert(1)</script>',
      'feat: [click](javascript:alert(1)) and ![img](http://x/y.png)',
      'feat: `rm -rf` *bold* _em_ | a | b | ~~gone~~ \\ done',
      'feat(<b>x</b>): scoped',
      'fix(deps): bump x from 1.0 to 2.0, `a >= b`',
    ]);
    expect(entry).toContain('* \\<script>alert(1)\\</script> (');
    expect(entry).toContain('* \\[click\\](javascript:alert(1)) and !\\[img\\](http://x/y.png) (');
    expect(entry).toContain('* `rm -rf` \\*bold\\* \\_em\\_ | a | b | \\~\\~gone\\~\\~ \\ done (');
    expect(entry).toContain('* **\\<b>x\\</b>:** scoped (');
    expect(entry).toContain('* **deps:** bump x from 1.0 to 2.0, `a >= b` (');
    expect(entry).not.toMatch(/(?<!\\)<[a-z/]/i);
  });

  it('collapses newlines in notes onto one line, and shows other control characters as escapes', () => {
    const entry = entryFor(['fix: x\n\nBREAKING CHANGE: line one\r\n## not a heading\n| a | b |\u0007 \u202eend']);
    expect(entry).toContain(`* line one ## not a heading | a | b |\\u0007 \\<U+202E>end (${short(0)})\n`);
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
    expect(links?.reference('#', '12')).toBe('https://gitlab.com/group/sub/rocket/-/issues/12');
    expect(links?.reference('!', '13')).toBe('https://gitlab.com/group/sub/rocket/-/merge_requests/13');
  });

  it('links GitHub issues and pull requests through the issue URL, and has no `!` references', () => {
    const links = remoteLinks(GITHUB);
    expect(links?.reference('#', '12')).toBe('https://github.com/acme/rocket/issues/12');
    expect(links?.reference('!', '12')).toBeNull();
    expect(links?.reference('#', '1/../x')).toBeNull();
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
