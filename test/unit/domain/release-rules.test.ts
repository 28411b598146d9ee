import { describe, expect, it } from 'vitest';
import { customDecision, globMatch } from '../../../domain/release-rules.js';

describe('globMatch', () => {
  it.each([
    ['deps', 'deps', true],
    ['deps', 'dep', false],
    ['dep*', 'deps', true],
    ['dep*', 'dep', true],
    ['*', 'anything', true],
    ['*-ui', 'admin-ui', true],
    ['*-ui', 'admin-api', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['api*', 'api/v1', false],
    ['api/*', 'api/v1', true],
    ['**', 'api/v1/x', true],
    ['api**', 'api/v1/x', true],
    ['ü*', 'über', true],
    ['🚀*', '🚀 launch', true],
    ['.', 'x', false],
    ['(x)', '(x)', true],
  ])('%j against %j: %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('stays linear in the text on a pattern that would make a backtracking matcher explode', () => {
    // A regular expression built from this glob, /^.*a.*a.*a.*a.*a.*a.*b$/, retries every split of the text.
    expect(globMatch('*a*a*a*a*a*a*b', 'a'.repeat(200_000))).toBe(false);
    expect(globMatch('*a*a*a*a*a*a*b', `${'a'.repeat(200_000)}b`)).toBe(true);
  });
});

describe('customDecision', () => {
  const feat = { type: 'feat', scope: 'api', breaking: false, revert: false };

  it('is undefined when no rule matches, so that the preset rules decide', () => {
    expect(customDecision([{ type: 'docs', release: 'patch' }], feat)).toBeUndefined();
  });

  it('names the first rule of the highest release', () => {
    expect(
      customDecision(
        [
          { type: 'feat', release: 'patch' },
          { scope: 'api', release: 'major' },
          { type: 'f*', release: 'major' },
        ],
        feat,
      ),
    ).toEqual({ release: 'major', reason: 'releaseRules[1] (*(api)) → major' });
  });

  it('reads rule types case-insensitively, as the analysis keeps types lower-cased', () => {
    expect(customDecision([{ type: 'FEAT', release: 'patch' }], feat)).toMatchObject({ release: 'patch' });
  });
});
