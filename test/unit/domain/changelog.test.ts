import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../bench/history-repo.js';
import {
  changelogHasVersion,
  extractChangelogEntry,
  prependChangelog,
  renderChangelogEntry,
  type ChangelogEntryInput,
} from '../../../domain/changelog.js';
import { analyseCommits, type CommitEntry } from '../../../domain/commits.js';
import { remoteLinks } from '../../../domain/remote-links.js';
import { visibleText } from '../../../domain/visible-text.js';
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

  it('reads a file written by an older shipgate, whose sections and escaping differ, beside the new entries', () => {
    const older =
      '## 1.0.0 (2025-08-01)\n\n### Breaking Changes\n\n* drop \\`v0\\` &lt;API&gt; (abc1234)\n\n### Performance\n\n* x (abc1235)\n';
    const file = prependChangelog(prependChangelog(null, older), entryFor(['feat(api)!: drop v1 (#3)'], GITHUB));
    expect(file.match(/^## .*/gm)).toEqual([
      '## [1.2.0](https://github.com/acme/rocket/compare/v1.1.0...v1.2.0) (2025-10-13)',
      '## 1.0.0 (2025-08-01)',
    ]);
    expect(changelogHasVersion(file, '1.0.0')).toBe(true);
    expect(extractChangelogEntry(file, '1.0.0')).toBe(older.trim());
    expect(extractChangelogEntry(file, '1.2.0')).toMatch(
      /^## \[1\.2\.0\][^]*### Features\n\n\* \*\*api:\*\* drop v1 \(\[#3\]/,
    );
    expect(extractChangelogEntry(file, '1.2.0')).not.toContain('1.0.0');
  });

  it('returns one entry, heading included, up to the next entry', () => {
    expect(extractChangelogEntry(text, '1.2.0')).toBe(ENTRY_120.trim());
    expect(extractChangelogEntry(text, '1.1.0')).toBe(ENTRY_110.trim());
  });

  it('returns null for a version that has no entry', () => {
    expect(extractChangelogEntry(text, '1.0.0')).toBeNull();
  });
});

describe('renderChangelogEntry, rendered by a CommonMark parser', () => {
  // CommonMark with raw HTML on (as GitHub and GitLab render files) and GFM's `~~` strikethrough.
  const markdown = new MarkdownIt('commonmark').enable('strikethrough');
  const REMOTES = [GITHUB, 'git@gitlab.com:group/rocket.git', 'file:///srv/git/rocket.git'];
  // What commit text is made of, biased to what could make HTML, links or blocks.
  const FRAGMENTS = [
    ...'`*_~<>&[]()!#\\-+=|:.;"\'/ abc19',
    '``',
    '```',
    '~~~',
    '**',
    '__',
    '~~',
    '***',
    '---',
    '___',
    '  ',
    '\n',
    '\t',
    '\r\n',
    '\n\n## ',
    '\n> ',
    '\n- ',
    'é',
    '🚀',
    'שלום',
    '<b>',
    '</i>',
    '<script>',
    '<!--',
    '-->',
    '<?x',
    '<!DOCTYPE html>',
    '<![CDATA[',
    '<T>',
    '<http://evil.example>',
    '<a@b.c>',
    '<1@b.c>',
    '<=',
    '>=',
    '->',
    'javascript:alert(1)',
    'http://evil.example/x',
    '&amp;',
    '&#60;',
    '&#x3c;',
    '&copy;',
    '&bogus;',
    '&&',
    '#12',
    '!34',
    'abc#5',
    '(#7)',
    '#8x',
    '&#9',
    '[x](http://evil)',
    '![i](http://evil/i.png)',
    '[^1]',
    '[r]: http://evil',
    '[r]',
    '\\[',
    '\\\\',
    '\\`',
    '\\*',
    '\\',
    '1.',
    '2)',
    '10. ',
    '\u001b[31m',
    '\u0007',
    '\u0000',
    '\u202e',
    '\u2066',
    '\u0085',
    '\u00a0',
    '\u2028',
    '\v',
    '\f',
    '\u200f',
    'snake_case',
    '2*3',
    '*a*',
    '_b_',
    '~~c~~',
    '`code`',
    '`` a ` b ``',
    '` `',
    '    indented',
    '<div>',
    '</div>',
  ];
  const TYPES = ['feat', 'fix', 'perf', 'refactor', 'revert', 'wip', null];
  const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

  function hostileText(random: () => number): string {
    const parts = Math.floor(random() * 10);
    let text = '';
    for (let i = 0; i < parts; i += 1) text += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)] ?? '';
    return text;
  }

  /**
   * What a reader should see of commit text: whitespace collapsed, the author's code spans and
   * backslash escapes read as CommonMark reads them, hidden characters as visible escapes, and
   * every other character exactly as written. Written apart from the renderer, and simply.
   */
  function asWritten(raw: string): string {
    const text = raw.replace(/[^\S\v\f]+/g, ' ').trim();
    let out = '';
    for (let i = 0; i < text.length;) {
      const ch = text.charAt(i);
      if (ch === '\\' && ASCII_PUNCTUATION.test(text.charAt(i + 1))) {
        out += text.charAt(i + 1);
        i += 2;
      } else if (ch === '`') {
        let end = i;
        while (text.charAt(end) === '`') end += 1;
        const close = closingRun(text, end, end - i);
        if (close === -1) {
          out += text.slice(i, end);
          i = end;
        } else {
          const content = text.slice(end, close);
          const stripped = content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '';
          out += visibleText(stripped ? content.slice(1, -1) : content);
          i = close + (end - i);
        }
      } else {
        out += visibleText(ch);
        i += 1;
      }
    }
    return out;
  }

  function closingRun(text: string, from: number, length: number): number {
    for (let j = from; j < text.length;) {
      if (text.charAt(j) !== '`') {
        j += 1;
        continue;
      }
      let end = j;
      while (text.charAt(end) === '`') end += 1;
      if (end - j === length) return j;
      j = end;
    }
    return -1;
  }

  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

  it('makes no element but its own, no link but its own, and shows each line as the author wrote it', () => {
    const random = mulberry32(18);
    let lines = 0;
    for (let run = 0; run < 1500; run += 1) {
      const repoUrl = REMOTES[run % REMOTES.length] ?? null;
      const links = remoteLinks(repoUrl);
      const entries: CommitEntry[] = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, n) => {
        const type = TYPES[Math.floor(random() * TYPES.length)] ?? null;
        const breaking = type === null || random() < 0.3;
        const notes = breaking ? Array.from({ length: Math.floor(random() * 3) }, () => hostileText(random)) : [];
        return {
          sha: shaFor(run * 8 + n),
          shortSha: shaFor(run * 8 + n).slice(0, 7),
          type,
          scope: random() < 0.5 ? hostileText(random) || null : null,
          subject: hostileText(random),
          breaking,
          breakingNotes: notes,
          bump: breaking ? 'major' : 'patch',
          reason: '',
          ...(type === 'revert' && { revertOf: '1234567' }),
        };
      });
      const entry = renderChangelogEntry({
        version: '2.0.0',
        date: '2025-10-13',
        analysis: { entries },
        previousTag: 'v1.9.0',
        tag: 'v2.0.0',
        repoUrl,
        preset: run % 2 === 0 ? 'conventionalcommits' : 'angular',
        sort: run % 3 === 0 ? 'scope' : 'none',
      });

      const ours = (href: string, sha: string | null) =>
        links !== null &&
        (href === links.compare('v1.9.0', 'v2.0.0') ||
          (sha !== null && href === links.commit(sha)) ||
          /^\/(?:-\/)?(?:issues|merge_requests)\/[0-9]+$/.test(href.slice(links.repoUrl.length)));
      const expected: string[] = [];
      for (const e of entries) {
        const line = (text: string) =>
          squash(`${e.scope ? `${asWritten(e.scope)}: ` : ''}${asWritten(text)} (${e.shortSha})`);
        if (e.breaking) expected.push(...(e.breakingNotes.length > 0 ? e.breakingNotes : [e.subject]).map(line));
        if (e.type !== null || !e.breaking) expected.push(line(e.subject));
      }

      const seen: string[] = [];
      const tokens = markdown.parse(entry, {});
      const context = `entry:\n${entry}`;
      for (const [index, token] of tokens.entries()) {
        expect(
          [
            'heading_open',
            'heading_close',
            'bullet_list_open',
            'bullet_list_close',
            'list_item_open',
            'list_item_close',
            'paragraph_open',
            'paragraph_close',
            'inline',
          ],
          context,
        ).toContain(token.type);
        if (token.type === 'heading_open') expect(token.tag, context).toBe(index === 0 ? 'h2' : 'h3');
        if (token.type !== 'inline' || tokens[index - 1]?.type !== 'paragraph_open') continue;

        const children = token.children ?? [];
        let text = '';
        for (const [at, child] of children.entries()) {
          expect(['text', 'code_inline', 'link_open', 'link_close', 'strong_open', 'strong_close'], context).toContain(
            child.type,
          );
          // Bold is the scope's label, at the start of the line.
          if (child.type === 'strong_open')
            expect(
              children
                .slice(0, at)
                .map((c) => c.content)
                .join(''),
              context,
            ).toBe('');
          if (child.type === 'link_open') {
            const sha = entries.find((e) => child.attrGet('href')?.endsWith(e.sha))?.sha ?? null;
            expect(ours(child.attrGet('href') ?? '', sha), `${child.attrGet('href')} in ${context}`).toBe(true);
          }
          if (child.type === 'text' || child.type === 'code_inline') text += child.content;
        }
        seen.push(squash(text));
      }
      expect(seen.sort(), context).toEqual([...expected].sort());
      lines += seen.length;
    }
    expect(lines).toBeGreaterThan(3000);
  });
});
