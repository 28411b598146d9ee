import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failuresFromOutput } from '../../../domain/test-output.js';

/** Output captured from the real runners; test/fixtures/runner-output/README.md says how. */
function captured(name: string): string {
  return readFileSync(`test/fixtures/runner-output/${name}`, 'utf8');
}

const MULTI_LINE = 'first line\nsecond line\nthird line';

describe('failuresFromOutput', () => {
  it("names the failing tests from node's TAP output, with the suite, the file and the failing line", () => {
    expect(failuresFromOutput(captured('node-tap.txt'), '/tmp/sample')).toEqual({
      runner: 'node-tap',
      failures: [
        {
          name: 'math > compares objects',
          file: 'test/math.test.js',
          line: 6,
          message:
            'Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: 1,\n    b: [\n      1,\n+     2\n-     3\n    ]…',
        },
        { name: 'math > multiplies', file: 'test/math.test.js', line: 7, message: 'two times three\n\n6 !== 7' },
        { name: 'fails with a multi-line error', file: 'test/text.test.js', line: 4, message: MULTI_LINE },
      ],
    });
  });

  it("names the failing tests from node's spec reporter, from its closing list", () => {
    const result = failuresFromOutput(captured('node-spec.txt'), '/tmp/sample');
    expect(result?.runner).toBe('node-spec');
    expect(result?.failures.map(({ name, file, line }) => ({ name, file, line }))).toEqual([
      { name: 'compares objects', file: 'test/math.test.js', line: 6 },
      { name: 'multiplies', file: 'test/math.test.js', line: 7 },
      { name: 'fails with a multi-line error', file: 'test/text.test.js', line: 4 },
    ]);
    expect(result?.failures[1]?.message).toBe('AssertionError [ERR_ASSERTION]: two times three\n\n6 !== 7');
    expect(result?.failures[2]?.message).toBe(`Error: ${MULTI_LINE}`);
  });

  it("names the failing tests from vitest's default reporter, colours and all", () => {
    const result = failuresFromOutput(captured('vitest-default.txt'), '/tmp/sample-vitest');
    expect(result?.runner).toBe('vitest');
    expect(result?.failures.map(({ name, file, line }) => ({ name, file, line }))).toEqual([
      { name: 'math > compares objects', file: 'test/math.test.js', line: 5 },
      { name: 'math > multiplies', file: 'test/math.test.js', line: 6 },
      { name: 'fails with a multi-line error', file: 'test/text.test.js', line: 4 },
    ]);
    expect(result?.failures[1]?.message).toBe(
      'AssertionError: two times three: expected 6 to be 7 // Object.is equality\n\n- Expected\n+ Received\n\n- 7\n+ 6',
    );
    expect(result?.failures[2]?.message).toBe(`Error: ${MULTI_LINE}`);
  });

  it("names the failing tests from jest's default reporter, and a test file that failed to load by its file", () => {
    const result = failuresFromOutput(captured('jest-default.txt'));
    expect(result?.runner).toBe('jest');
    expect(result?.failures.map(({ name, file, line }) => ({ name, file, line }))).toEqual([
      { name: 'math › compares objects', file: 'test/math.test.js', line: 5 },
      { name: 'math › multiplies', file: 'test/math.test.js', line: 6 },
      { name: 'test/broken.test.js', file: 'test/broken.test.js', line: 1 },
    ]);
    expect(result?.failures[1]?.message).toBe(
      'expect(received).toBe(expected) // Object.is equality\n\nExpected: 7\nReceived: 6',
    );
  });

  it('recognises no runner in other output, nor in a run without failures', () => {
    expect(failuresFromOutput('make: *** [test] Error 1\n')).toBeNull();
    expect(failuresFromOutput('TAP version 13\nok 1 - works\n1..1\n')).toBeNull();
    expect(failuresFromOutput('')).toBeNull();
  });
});
