import { describe, expect, it } from 'vitest';
import { generator, mulberry32 } from '../../../bench/history-repo.js';
import { headerOnlyParts, MAX_HEADER_CHARS, parsedParts } from '../../../domain/commits.js';

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
];

function generatorHeaders(count: number): string[] {
  const next = generator(mulberry32(42));
  const revertable = [{ sha: 'a'.repeat(40), header: 'feat(api): add the tag list (#1)' }];
  return Array.from({ length: count }, (_, n) => next(n + 2, revertable).message.split('\n')[0] ?? '');
}

describe('the header-only fast path', () => {
  it.each(
    HOSTILE.map((header) => [header.length > 80 ? `${header.slice(0, 60)}… (${header.length})` : header, header]),
  )('reads %j as the parser does, or leaves it to the parser', (_name, header) => {
    const fast = headerOnlyParts(header);
    if (fast !== null) expect(fast).toEqual(parsedParts(header));
  });

  it('agrees with the parser on every header of the seeded history generator, and decides nearly all of them', () => {
    const headers = generatorHeaders(20_000);
    let decided = 0;
    for (const header of headers) {
      const fast = headerOnlyParts(header);
      if (fast === null) continue;
      decided += 1;
      expect(fast, header).toEqual(parsedParts(header));
    }
    // Only the reverts (~2 %) go to the parser.
    expect(decided / headers.length).toBeGreaterThan(0.95);
  });
});
