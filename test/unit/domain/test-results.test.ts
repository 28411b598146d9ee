import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJestLikeJson, parseJUnitXml, TestResultFormatError } from '../../../domain/test-results.js';

const ROOT = '/home/ci/work/shipgate-demo';

// vitest --reporter=junit with its defaults: a suite per file, the file path as classname.
const VITEST_JUNIT = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="5" failures="2" errors="0" time="0.412">
    <testsuite name="test/math.test.ts" timestamp="2025-10-13T12:00:00.123Z" hostname="ci-runner-7" tests="4" failures="1" errors="0" skipped="2" time="0.012">
        <testcase classname="test/math.test.ts" name="math &gt; adds" time="0.001">
        </testcase>
        <testcase classname="test/math.test.ts" name="math &gt; divides" time="0.004">
            <failure message="expected 0.5 to be 2 // Object.is equality" type="AssertionError">
AssertionError: expected 0.5 to be 2 // Object.is equality

- Expected
+ Received

- 2
+ 0.5

 ❯ test/math.test.ts:14:25
            </failure>
        </testcase>
        <testcase classname="test/math.test.ts" name="math &gt; rounds" time="0">
            <skipped/>
        </testcase>
        <testcase classname="test/math.test.ts" name="math &gt; handles negative numbers" time="0">
            <skipped/>
        </testcase>
    </testsuite>
    <testsuite name="test/greet.test.ts" timestamp="2025-10-13T12:00:00.140Z" hostname="ci-runner-7" tests="1" failures="1" errors="0" skipped="0" time="0.003">
        <testcase classname="test/greet.test.ts" name="greet &gt; says hello" time="0.003">
            <failure message="expected &apos;hi Ada&apos; to be &apos;hello Ada&apos; // Object.is equality" type="AssertionError">
AssertionError: expected &apos;hi Ada&apos; to be &apos;hello Ada&apos; // Object.is equality

Expected: &quot;hello Ada&quot;
Received: &quot;hi Ada&quot;

 ❯ greet src/greet.ts:2:10
 ❯ test/greet.test.ts:6:30
            </failure>
            <system-out>
greeting Ada
            </system-out>
        </testcase>
    </testsuite>
</testsuites>
`;

// jest-junit with addFileAttribute: the failure is the raw jest message with its stack, in the element text.
const JEST_JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="1" time="1.204">
  <testsuite name="math" errors="0" failures="1" skipped="0" timestamp="2025-10-13T12:00:00" time="0.61" tests="2">
    <testcase classname="math adds" name="math adds" time="0.002" file="test/math.test.js">
    </testcase>
    <testcase classname="math divides" name="math divides" time="0.004" file="test/math.test.js">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 2
Received: 0.5
    at Object.toBe (/home/ci/work/shipgate-demo/test/math.test.js:9:27)
    at Promise.then.completed (/home/ci/work/shipgate-demo/node_modules/jest-circus/build/utils.js:298:28)
    at new Promise (&lt;anonymous&gt;)</failure>
    </testcase>
  </testsuite>
  <testsuite name="test/broken.test.js" errors="1" failures="0" skipped="0" timestamp="2025-10-13T12:00:01" time="0" tests="0">
    <testcase classname="Test suite failed to run" name="test/broken.test.js" time="0" file="test/broken.test.js">
      <error>  ● Test suite failed to run

    Cannot find module &apos;../src/missing&apos; from &apos;test/broken.test.js&apos;

    &gt; 1 | import { thing } from &apos;../src/missing&apos;;
        | ^

      at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/resolver.js:427:11)
      at Object.&lt;anonymous&gt; (test/broken.test.js:1:1)</error>
    </testcase>
  </testsuite>
</testsuites>
`;

describe('parseJUnitXml', () => {
  it('counts passed, failed and skipped tests across suites', () => {
    const summary = parseJUnitXml(VITEST_JUNIT);
    expect(summary).toMatchObject({ total: 5, passed: 1, failed: 2, skipped: 2 });
  });

  it('reports a vitest failure with its file from the classname and its line from the stack', () => {
    expect(parseJUnitXml(VITEST_JUNIT).failures).toEqual([
      {
        name: 'math > divides',
        file: 'test/math.test.ts',
        line: 14,
        message: 'expected 0.5 to be 2 // Object.is equality',
      },
      {
        name: 'greet > says hello',
        file: 'test/greet.test.ts',
        line: 6,
        message: "expected 'hi Ada' to be 'hello Ada' // Object.is equality",
      },
    ]);
  });

  it('prefers the file attribute to the classname', () => {
    const xml = `<testsuites><testsuite name="test/math.test.ts">
      <testcase classname="math" name="math &gt; divides" file="test/math.test.ts"><failure message="boom">Error: boom
 ❯ test/math.test.ts:3:7</failure></testcase>
    </testsuite></testsuites>`;
    expect(parseJUnitXml(xml).failures).toEqual([
      { name: 'math > divides', file: 'test/math.test.ts', line: 3, message: 'boom' },
    ]);
  });

  it('takes a jest-junit message from the element text, without its stack', () => {
    const [failure] = parseJUnitXml(JEST_JUNIT, ROOT).failures;
    expect(failure).toEqual({
      name: 'math divides',
      file: 'test/math.test.js',
      line: 9,
      message: 'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 0.5',
    });
  });

  it('counts an error element as a failure, such as a test file that failed to run', () => {
    const summary = parseJUnitXml(JEST_JUNIT, ROOT);
    expect(summary).toMatchObject({ total: 3, passed: 1, failed: 2, skipped: 0 });
    expect(summary.failures[1]).toMatchObject({ name: 'test/broken.test.js', file: 'test/broken.test.js', line: 1 });
    expect(summary.failures[1]?.message).toMatch(
      /^● Test suite failed to run\n\n {4}Cannot find module '..\/src\/missing'/,
    );
  });

  it('leaves file and line out when the report does not name the test file', () => {
    const xml = JEST_JUNIT.replace(/ file="[^"]*"/g, '');
    expect(parseJUnitXml(xml).failures[0]).toEqual({
      name: 'math divides',
      message: 'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 0.5',
    });
  });

  it('uses a line attribute when the report has one', () => {
    const xml = `<testsuite name="lint"><testcase classname="src/a.test.ts" name="works" file="src/a.test.ts" line="42"><failure message="nope">at src/a.test.ts:7:1</failure></testcase></testsuite>`;
    expect(parseJUnitXml(xml).failures[0]).toMatchObject({ file: 'src/a.test.ts', line: 42 });
  });

  it('makes absolute file paths relative to the repository root', () => {
    const xml = `<testsuite name="x"><testcase name="works" file="${ROOT}/test/a.test.ts"><failure message="nope">at ${ROOT}/test/a.test.ts:12:3</failure></testcase></testsuite>`;
    expect(parseJUnitXml(xml, ROOT).failures[0]).toMatchObject({ file: 'test/a.test.ts', line: 12 });
    expect(parseJUnitXml(xml).failures[0]).toMatchObject({ file: `${ROOT}/test/a.test.ts`, line: 12 });
  });

  it('walks nested suites and a bare testsuite root', () => {
    const xml = `<?xml version="1.0"?>
<testsuite name="all" tests="3">
  <testsuite name="unit">
    <testcase classname="unit" name="one"/>
    <testsuite name="deep"><testcase classname="deep" name="two"><skipped message="flaky"/></testcase></testsuite>
  </testsuite>
  <testcase classname="all" name="three"><failure type="AssertionError"/></testcase>
</testsuite>`;
    const summary = parseJUnitXml(xml);
    expect(summary).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(summary.failures).toEqual([{ name: 'three', message: '(no failure message)' }]);
  });

  it('decodes numeric character references in messages', () => {
    const xml = `<testsuites><testsuite name="s"><testcase name="t"><failure message="first&#10;second &#x2192; third"/></testcase></testsuite></testsuites>`;
    expect(parseJUnitXml(xml).failures[0]?.message).toBe('first\nsecond → third');
  });

  it("gives back the lines node's JUnit reporter drops from the message attribute", () => {
    // Captured from node 20's test runner (--test-reporter=junit) in /tmp/sample; see test/fixtures/runner-output.
    const summary = parseJUnitXml(readFileSync('test/fixtures/runner-output/node-junit.xml', 'utf8'), '/tmp/sample');
    expect(summary).toMatchObject({ total: 6, passed: 2, failed: 3, skipped: 1 });
    expect(summary.failures).toEqual([
      {
        name: 'fails with a multi-line error',
        file: 'test/text.test.js',
        line: 4,
        message: 'first line\nsecond line\nthird line',
      },
      {
        name: 'compares objects',
        file: 'test/math.test.js',
        line: 6,
        message:
          'Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: 1,\n    b: [\n      1,\n+     2\n-     3\n    ]…',
      },
      { name: 'multiplies', file: 'test/math.test.js', line: 7, message: 'two times three\n\n6 !== 7' },
    ]);
  });

  it('keeps the newlines vitest writes inside the message attribute', () => {
    const summary = parseJUnitXml(
      readFileSync('test/fixtures/runner-output/vitest-junit.xml', 'utf8'),
      '/tmp/sample-vitest',
    );
    expect(summary.failures.find((f) => f.name === 'fails with a multi-line error')).toEqual({
      name: 'fails with a multi-line error',
      file: 'test/text.test.js',
      line: 4,
      message: 'first line\nsecond line\nthird line',
    });
  });

  it('keeps only the first lines of a long message, at most about 500 characters', () => {
    const longLine = 'x'.repeat(800);
    const manyLines = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`).join('&#10;');
    const xml = `<testsuites><testsuite name="s">
      <testcase name="long"><failure message="${longLine}"/></testcase>
      <testcase name="many"><failure message="${manyLines}"/></testcase>
    </testsuite></testsuites>`;
    const [long, many] = parseJUnitXml(xml).failures;
    expect(long?.message).toHaveLength(500);
    expect(long?.message.endsWith('…')).toBe(true);
    expect(many?.message.split('\n')).toHaveLength(10);
    expect(many?.message.endsWith('line 10…')).toBe(true);
  });

  it('reads an empty report as no tests', () => {
    expect(parseJUnitXml('<?xml version="1.0"?>\n<testsuites/>')).toEqual({
      total: 0,
      passed: 0,
      failed: 0,
      skipped: 0,
      failures: [],
    });
  });

  it('refuses text that is not XML', () => {
    expect(() => parseJUnitXml('{"testResults": []}')).toThrow(TestResultFormatError);
    expect(() => parseJUnitXml('<testsuites><testsuite></testsuites>')).toThrow(/^not valid JUnit XML: .*\(line 1\)$/);
    expect(() => parseJUnitXml('')).toThrow(TestResultFormatError);
  });

  it('refuses XML that is not a JUnit report', () => {
    expect(() => parseJUnitXml('<coverage line-rate="0.8"/>')).toThrow(
      new TestResultFormatError('not a JUnit report: expected a <testsuites> or <testsuite> root element'),
    );
  });
});

// vitest --reporter=json (jest-compatible): absolute file names, a location per test.
const VITEST_JSON = {
  numTotalTestSuites: 3,
  numPassedTestSuites: 1,
  numFailedTestSuites: 2,
  numPendingTestSuites: 0,
  numTotalTests: 5,
  numPassedTests: 2,
  numFailedTests: 1,
  numPendingTests: 1,
  numTodoTests: 1,
  startTime: 1760356800000,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['math'],
          fullName: 'math adds',
          status: 'passed',
          title: 'adds',
          duration: 0.4,
          failureMessages: [],
          location: { line: 5, column: 3 },
          meta: {},
        },
        {
          ancestorTitles: ['math'],
          fullName: 'math divides',
          status: 'failed',
          title: 'divides',
          duration: 2.1,
          failureMessages: [
            `AssertionError: expected 0.5 to be 2 // Object.is equality\n    at ${ROOT}/test/math.test.ts:14:25\n    at file://${ROOT}/node_modules/@vitest/runner/dist/index.js:146:14`,
          ],
          location: { line: 12, column: 3 },
          meta: {},
        },
        {
          ancestorTitles: ['math'],
          fullName: 'math rounds',
          status: 'skipped',
          title: 'rounds',
          failureMessages: [],
          location: { line: 17, column: 8 },
          meta: {},
        },
        {
          ancestorTitles: ['math'],
          fullName: 'math negatives',
          status: 'todo',
          title: 'negatives',
          failureMessages: [],
          location: { line: 20, column: 8 },
          meta: {},
        },
      ],
      startTime: 1760356800100,
      endTime: 1760356800112,
      status: 'failed',
      message: '',
      name: `${ROOT}/test/math.test.ts`,
    },
    {
      assertionResults: [
        {
          ancestorTitles: [],
          fullName: 'greets',
          status: 'passed',
          title: 'greets',
          duration: 0.2,
          failureMessages: [],
          meta: {},
        },
      ],
      startTime: 1760356800100,
      endTime: 1760356800104,
      status: 'passed',
      message: '',
      name: `${ROOT}/test/greet.test.ts`,
    },
    {
      assertionResults: [],
      startTime: 1760356800100,
      endTime: 1760356800100,
      status: 'failed',
      message: `Failed to load url ../src/missing (resolved id: ../src/missing) in ${ROOT}/test/broken.test.ts. Does the file exist?`,
      name: `${ROOT}/test/broken.test.ts`,
    },
  ],
};

// jest --json: no locations unless --testLocationInResults, and colour codes in the failure messages.
const JEST_JSON = {
  numFailedTestSuites: 1,
  numFailedTests: 1,
  numPassedTestSuites: 0,
  numPassedTests: 1,
  numPendingTests: 1,
  numTotalTests: 3,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['math'],
          duration: 3,
          failureDetails: [],
          failureMessages: [],
          fullName: 'math adds',
          invocations: 1,
          location: null,
          numPassingAsserts: 1,
          retryReasons: [],
          status: 'passed',
          title: 'adds',
        },
        {
          ancestorTitles: ['math'],
          duration: 4,
          failureDetails: [{}],
          failureMessages: [
            `Error: \u001b[2mexpect(\u001b[22m\u001b[31mreceived\u001b[39m\u001b[2m).\u001b[22mtoBe\u001b[2m(\u001b[22m\u001b[32mexpected\u001b[39m\u001b[2m) // Object.is equality\u001b[22m\n\nExpected: \u001b[32m2\u001b[39m\nReceived: \u001b[31m0.5\u001b[39m\n    at Object.toBe (${ROOT}/test/math.test.js:9:27)\n    at Promise.then.completed (${ROOT}/node_modules/jest-circus/build/utils.js:298:28)`,
          ],
          fullName: 'math divides',
          invocations: 1,
          location: null,
          numPassingAsserts: 0,
          retryReasons: [],
          status: 'failed',
          title: 'divides',
        },
        {
          ancestorTitles: ['math'],
          duration: null,
          failureDetails: [],
          failureMessages: [],
          fullName: 'math later',
          invocations: 0,
          location: null,
          numPassingAsserts: 0,
          retryReasons: [],
          status: 'pending',
          title: 'later',
        },
      ],
      endTime: 1760356801000,
      message: '\u001b[1m\u001b[31m  \u001b[1m● \u001b[22m\u001b[1mmath › divides\u001b[39m\u001b[22m ...',
      name: `${ROOT}/test/math.test.js`,
      startTime: 1760356800000,
      status: 'failed',
      summary: '',
    },
  ],
  wasInterrupted: false,
};

describe('parseJestLikeJson', () => {
  it('counts a vitest JSON report, treating skipped and todo tests as skipped', () => {
    expect(parseJestLikeJson(VITEST_JSON, ROOT)).toMatchObject({ total: 6, passed: 2, failed: 2, skipped: 2 });
  });

  it('reports a failure with a repository-relative file and the line of the test', () => {
    expect(parseJestLikeJson(VITEST_JSON, ROOT).failures[0]).toEqual({
      name: 'math divides',
      file: 'test/math.test.ts',
      line: 12,
      message: 'AssertionError: expected 0.5 to be 2 // Object.is equality',
    });
  });

  it('counts a test file that failed to load as a failure', () => {
    expect(parseJestLikeJson(VITEST_JSON, ROOT).failures[1]).toEqual({
      name: 'test/broken.test.ts',
      file: 'test/broken.test.ts',
      message: `Failed to load url ../src/missing (resolved id: ../src/missing) in ${ROOT}/test/broken.test.ts. Does the file exist?`,
    });
  });

  it('finds the line in the stack when jest gives no location, and drops colour codes', () => {
    const summary = parseJestLikeJson(JEST_JSON, ROOT);
    expect(summary).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(summary.failures).toEqual([
      {
        name: 'math divides',
        file: 'test/math.test.js',
        line: 9,
        message: 'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 0.5',
      },
    ]);
  });

  it('ignores stack frames of other files when looking for the line', () => {
    const report = {
      testResults: [
        {
          name: `${ROOT}/test/a.test.ts`,
          assertionResults: [
            {
              title: 'a',
              status: 'failed',
              failureMessages: [
                `Error: x\n    at helper (${ROOT}/test/helpers.ts:3:1)\n    at ${ROOT}/src/a.ts:20:5\n    at ${ROOT}/test/a.test.ts:31:9`,
              ],
            },
          ],
        },
      ],
    };
    expect(parseJestLikeJson(report, ROOT).failures[0]).toMatchObject({ name: 'a', file: 'test/a.test.ts', line: 31 });
  });

  it('keeps a test file outside the repository root as the report names it', () => {
    const report = {
      testResults: [
        {
          name: '/tmp/other/x.test.ts',
          assertionResults: [{ title: 'x', status: 'failed', failureMessages: ['boom'] }],
        },
      ],
    };
    expect(parseJestLikeJson(report, ROOT).failures[0]).toEqual({
      name: 'x',
      file: '/tmp/other/x.test.ts',
      message: 'boom',
    });
  });

  it('refuses JSON that is not a jest or vitest report', () => {
    expect(() => parseJestLikeJson({ numTotalTests: 3 }, ROOT)).toThrow(TestResultFormatError);
    expect(() => parseJestLikeJson([], ROOT)).toThrow(/^not a jest or vitest JSON report: top level /);
  });

  it('names the field that is wrong', () => {
    const report = { testResults: [{ name: `${ROOT}/test/a.test.ts`, assertionResults: [{ title: 'a', status: 7 }] }] };
    expect(() => parseJestLikeJson(report, ROOT)).toThrow(
      /^not a jest or vitest JSON report: testResults\[0\]\.assertionResults\[0\]\.status /,
    );
  });
});

describe('failures that name no file', () => {
  it('takes the file and line from the first stack frame inside the repository', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testcase name="adds two numbers" time="0.002" classname="test" failure="3 == 4">
    <failure type="testCodeFailure" message="3 == 4">
[Error [ERR_TEST_FAILURE]: 3 == 4] {
  cause: AssertionError [ERR_ASSERTION]: 3 == 4
      at TestContext.&lt;anonymous&gt; (file:///srv/webshop/test/math.test.js:5:30)
      at Test.runInAsyncScope (node:async_hooks:206:9)
    </failure>
  </testcase>
</testsuites>`;
    expect(parseJUnitXml(xml, '/srv/webshop').failures[0]).toMatchObject({
      name: 'adds two numbers',
      file: 'test/math.test.js',
      line: 5,
    });
  });
});
