import { describe, expect, it } from 'vitest';
import { generator, mulberry32 } from '../../../bench/history-repo.js';
import type { CommitPreset } from '../../../domain/commit.js';
import { analyseCommits, headerOnlyParts, MAX_HEADER_CHARS, parsedParts } from '../../../domain/commits.js';
import { commit } from './commit-fixtures.js';

const MiB = 1 << 20;

/** Headers the fast path must read exactly as the parser does, or leave to it. */
const HOSTILE = [
  'feat: x',
  'feat:x',
  'feat : x',
  'feat:  two spaces',
  'feat: trailing space ',
  'feat: trailing tab\t',
  ' feat: leading space',
  'feat():  empty scope',
  'feat(): empty scope',
  'feat(a)(b): two scopes',
  'feat(a b): spaced scope',
  'feat(a)!: bang and scope',
  'feat!: bang',
  'feat!!: two bangs',
  'feat(!): bang in scope',
  'FEAT: upper case',
  'Feat(Api): mixed case',
  'feat_1: underscore and digit',
  'fix-it: hyphen',
  'constructor: object member',
  '__proto__: object member',
  'feat: a\rcarriage return',
  'feat: a\u2028line separator',
  'feat(a\u2029): paragraph separator in scope',
  'feat: unicode ünïcödé 🚀',
  'feat: "quoted" `code` *stars*',
  'feat: ends with colon:',
  'feat: -hash-',
  '-hash-',
  'BREAKING CHANGE: in the header',
  'BREAKING-CHANGE: in the header',
  'feat: BREAKING CHANGE: inside',
  'Revert "feat: x"',
  'revert: feat: x',
  'revert(ui)!: feat: x',
  'revert: feat: b This reverts commit abcdef1234',
  'Merge branch "topic"',
  'chore(release): v1.2.3',
  'feat: quietly [skip release]',
  'feat: (#123)',
  'feat: ' + '" '.repeat(500),
  `fix: ${'A'.repeat(MAX_HEADER_CHARS - 6)}…`,
  `fix: ${' '.repeat(MAX_HEADER_CHARS)}x`,
  `fix(${'s'.repeat(MAX_HEADER_CHARS)}): long scope`,
  `${'w'.repeat(MiB)}: long type`,
  'fix(a(b)): nested scope',
  'fix(a(b))!: nested scope and bang',
  'feat(a)!: b (c): d',
  'feat(a): b (c)!: d',
  'feat(a))): closers',
  'feat((a): openers',
  'gpg: a signature line',
  ' gpg: x',
  'chore(release)!: drop v1 API',
  `feat(${'('.repeat(100_000)}`,
  `feat(${'('.repeat(100_000)}): x`,
  `feat(${'): '.repeat(100_000)}\r`,
  `feat(${')!: '.repeat(100_000)}\u2028`,
  `feat(x): ${'a'.repeat(MiB)}\r`,
];

const PRESETS: CommitPreset[] = ['conventionalcommits', 'angular'];

function generatorHeaders(count: number): string[] {
  const next = generator(mulberry32(42));
  const revertable = [{ sha: 'a'.repeat(40), header: 'feat(api): add the tag list (#1)' }];
  return Array.from({ length: count }, (_, n) => next(n + 2, revertable).message.split('\n')[0] ?? '');
}

/**
 * The generator's headers, and beside each a variant people also write: a nested scope
 * (`feat(api(v2)):`), leading whitespace, or both; seeded, so every run checks the same ones.
 */
function variedHeaders(count: number): string[] {
  const random = mulberry32(7);
  return generatorHeaders(count).flatMap((header) => {
    const nested = header.replace(
      /^(\w+)\(([^()]*)\)/,
      (_all, type: string, scope: string) => `${type}(${scope}(v${Math.floor(random() * 3)}))`,
    );
    const indent = [' ', '  ', '\t', ' \t '][Math.floor(random() * 4)] ?? ' ';
    return [header, nested, `${indent}${header}`, `${indent}${nested}`];
  });
}

describe.each(PRESETS)('the header-only fast path (%s)', (preset) => {
  it.each(
    HOSTILE.map((header) => [header.length > 80 ? `${header.slice(0, 60)}… (${header.length})` : header, header]),
  )('reads %j as the parser does, or leaves it to the parser', (_name, header) => {
    const fast = headerOnlyParts(header, preset);
    if (fast !== null) expect(fast).toEqual(parsedParts(header, preset));
  });

  it('agrees with the parser on every header of the seeded history generator, nested scopes and leading whitespace too, and decides nearly all of them', () => {
    const headers = variedHeaders(5_000);
    let decided = 0;
    for (const raw of headers) {
      // The analysis trims a message before reading it, as semantic-release does.
      const header = raw.trim();
      const fast = headerOnlyParts(header, preset);
      if (fast === null) continue;
      decided += 1;
      expect(fast, header).toEqual(parsedParts(header, preset));
    }
    // Only the reverts (~2 %) go to the parser; under angular the `!` headers (~1 %) too, as they are not Conventional there.
    expect(decided / headers.length).toBeGreaterThan(0.95);
  });

  it('classifies a header with leading whitespace as the same header trimmed', () => {
    const headers = variedHeaders(500);
    const raw = headers.map((header, n) => commit(n, header));
    const trimmed = headers.map((header, n) => commit(n, header.trim()));
    expect(analyseCommits(raw, { preset }).entries).toEqual(analyseCommits(trimmed, { preset }).entries);
  });
});
