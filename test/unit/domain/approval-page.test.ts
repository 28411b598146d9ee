import { describe, expect, it } from 'vitest';
import { changelogEntryOf, diffSummaryOf, MAX_FILES } from '../../../domain/approval-page.js';

const CHANGELOG = `# Changelog

## [1.1.0](https://example.test/compare/v1.0.0...v1.1.0) (2026-01-02)

### Features

* greet by name

## 1.0.0 (2026-01-01)

### Bug Fixes

* first fix
`;

describe('changelogEntryOf', () => {
  it('takes the entry of the version, from its heading to the next one', () => {
    expect(changelogEntryOf(CHANGELOG, '1.1.0')).toBe(
      '## [1.1.0](https://example.test/compare/v1.0.0...v1.1.0) (2026-01-02)\n\n### Features\n\n* greet by name\n',
    );
    expect(changelogEntryOf(CHANGELOG, '1.0.0')).toBe('## 1.0.0 (2026-01-01)\n\n### Bug Fixes\n\n* first fix\n');
  });

  it('is null for a version the changelog does not have', () => {
    expect(changelogEntryOf(CHANGELOG, '1.0.1')).toBeNull();
    expect(changelogEntryOf('', '1.0.0')).toBeNull();
  });
});

describe('diffSummaryOf', () => {
  it('reads numstat records, binary files without lines, the most changed first, with the totals', () => {
    const numstat = ['1\t1\tCHANGELOG.md', '10\t2\tsrc/a.js', '-\t-\tlogo.png', ''].join('\0');
    expect(diffSummaryOf(numstat, { from: 'v1.0.0', to: 'v1.1.0', commits: 3 })).toEqual({
      from: 'v1.0.0',
      to: 'v1.1.0',
      commits: 3,
      filesChanged: 3,
      insertions: 11,
      deletions: 3,
      files: [
        { path: 'src/a.js', insertions: 10, deletions: 2, binary: false },
        { path: 'CHANGELOG.md', insertions: 1, deletions: 1, binary: false },
        { path: 'logo.png', insertions: 0, deletions: 0, binary: true },
      ],
      filesLeftOut: 0,
    });
  });

  it('keeps a path with a tab or newline whole, and names a rename by its new path', () => {
    const numstat = ['2\t0\tweird\tname\nhere', '0\t0\t', 'old.js', 'new.js', ''].join('\0');
    expect(diffSummaryOf(numstat, { from: null, to: 'v1.0.0', commits: 1 }).files.map((f) => f.path)).toEqual([
      'weird\tname\nhere',
      'new.js',
    ]);
  });

  it(`lists at most ${MAX_FILES} files and says how many it left out`, () => {
    const numstat = Array.from({ length: MAX_FILES + 5 }, (_, i) => `1\t0\tf${i}`).join('\0');
    const summary = diffSummaryOf(numstat, { from: null, to: 'v1.0.0', commits: 1 });
    expect([summary.files.length, summary.filesLeftOut, summary.filesChanged]).toEqual([MAX_FILES, 5, MAX_FILES + 5]);
  });
});
