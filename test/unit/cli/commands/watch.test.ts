import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../cli/command.js';
import { parse } from '../../../../cli/commands/watch.js';
import { parseInput } from './parse-input.js';

describe('watch', () => {
  it('shows without an action, pauses with the rest of the line as its note, resumes', () => {
    expect(parse(parseInput(['webshop']))).toEqual({ name: 'watch', repo: 'webshop', action: 'show', note: null });
    expect(parse(parseInput(['webshop', 'pause', 'release', 'freeze']))).toEqual({
      name: 'watch',
      repo: 'webshop',
      action: 'pause',
      note: 'release freeze',
    });
    expect(parse(parseInput(['webshop', 'resume']))).toEqual({
      name: 'watch',
      repo: 'webshop',
      action: 'resume',
      note: null,
    });
  });

  it('refuses a pause without a note, words after resume, and other actions', () => {
    expect(() => parse(parseInput(['webshop', 'pause']))).toThrow(
      '"shipgate watch <repo> pause" needs a note saying why, e.g. "release freeze"',
    );
    expect(() => parse(parseInput(['webshop', 'resume', 'now']))).toThrow(
      '"shipgate watch" takes pause <note> or resume after the repository, got "resume now"',
    );
    expect(() => parse(parseInput(['webshop', 'stop']))).toThrow(UsageError);
  });
});
