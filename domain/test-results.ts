import { stripVTControlCharacters } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { toRepoPath } from './coverage.js';

export interface TestFailure {
  name: string;
  /** Test file, repository-relative when the report's path lies inside the repository. */
  file?: string;
  line?: number;
  /** The first lines of the failure, without the stack. */
  message: string;
}

export interface TestSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  failures: TestFailure[];
}

export class TestResultFormatError extends Error {
  override name = 'TestResultFormatError';
}

const MAX_MESSAGE_CHARS = 500;
const MAX_MESSAGE_LINES = 10;
const STACK_FRAME = /^\s*(?:at |❯ )/;
const SCRIPT_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * Counts and failures from a JUnit XML report, as written by vitest, jest-junit and most other
 * runners. Give `repoRoot` to turn absolute test file paths into repository-relative ones.
 */
export function parseJUnitXml(xml: string, repoRoot?: string): TestSummary {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw new TestResultFormatError(`not valid JUnit XML: ${validation.err.msg} (line ${validation.err.line})`);
  }
  const document = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    // Reporters write newlines inside attributes as &#10;, which only the HTML entity table decodes.
    htmlEntities: true,
    isArray: (name, _path, _leaf, isAttribute) =>
      !isAttribute && ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  }).parse(xml) as XmlElement;
  if (document.testsuites === undefined && document.testsuite === undefined) {
    throw new TestResultFormatError('not a JUnit report: expected a <testsuites> or <testsuite> root element');
  }

  const summary: TestSummary = { total: 0, passed: 0, failed: 0, skipped: 0, failures: [] };
  const visit = (suite: XmlElement): void => {
    for (const testcase of children(suite, 'testcase')) countTestcase(summary, testcase, suite, repoRoot);
    for (const nested of children(suite, 'testsuite')) visit(nested);
  };
  for (const root of children(document, 'testsuites')) visit(root);
  for (const suite of children(document, 'testsuite')) visit(suite);
  return summary;
}

type XmlElement = Record<string, unknown>;

function children(element: XmlElement, name: string): XmlElement[] {
  const value = element[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((child: unknown) => {
    if (typeof child === 'string') return { '#text': child };
    return typeof child === 'object' && child !== null ? (child as XmlElement) : {};
  });
}

/** Some reporters write `file=""` when they know no file, so an empty attribute counts as absent. */
function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`@_${name}`];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function text(element: XmlElement): string {
  const value = element['#text'];
  return typeof value === 'string' ? value : '';
}

function countTestcase(
  summary: TestSummary,
  testcase: XmlElement,
  suite: XmlElement,
  repoRoot: string | undefined,
): void {
  summary.total += 1;
  const [problem] = [...children(testcase, 'failure'), ...children(testcase, 'error')];
  if (!problem) {
    if (children(testcase, 'skipped').length > 0) summary.skipped += 1;
    else summary.passed += 1;
    return;
  }
  summary.failed += 1;
  const classname = attribute(testcase, 'classname');
  // vitest names the class after the test file by default; jest-junit and JVM runners do not.
  const file =
    attribute(testcase, 'file') ??
    attribute(suite, 'file') ??
    (classname && SCRIPT_FILE.test(classname) ? classname : undefined);
  const declaredLine = Number(attribute(testcase, 'line'));
  const messageAttribute = attribute(problem, 'message') ?? '';
  // Node's own runner names no file; the first stack frame inside the repository does.
  const framed =
    file === undefined && repoRoot !== undefined
      ? frameInRepository(`${messageAttribute}\n${text(problem)}`, repoRoot)
      : null;
  summary.failures.push(
    testFailure({
      name: attribute(testcase, 'name') ?? classname ?? '(unnamed test)',
      file: framed?.file ?? (file === undefined ? undefined : repoFile(file, repoRoot)),
      line: Number.isInteger(declaredLine) && declaredLine > 0 ? declaredLine : framed?.line,
      message: messageAttribute !== '' ? withLinesFromText(messageAttribute, text(problem)) : text(problem),
      details: `${messageAttribute}\n${text(problem)}`,
    }),
  );
}

const MAX_TEXT_SEARCHED = 20_000;

/**
 * Node's JUnit reporter drops the newlines from the message attribute ("first linesecond line")
 * while the element text keeps them: the same characters, found there, give the lines back.
 */
function withLinesFromText(message: string, body: string): string {
  if (message.includes('\n') || !body.includes('\n')) return message;
  const chars = [...message.replace(/\s+/g, '')];
  if (chars.length === 0 || chars.length > MAX_MESSAGE_CHARS * 4) return message;
  const pattern = new RegExp(chars.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*'), 'u');
  return pattern.exec(body.slice(0, MAX_TEXT_SEARCHED))?.[0] ?? message;
}

const Assertion = Type.Object({
  status: Type.String(),
  title: Type.String(),
  fullName: Type.Optional(Type.String()),
  failureMessages: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  location: Type.Optional(Type.Union([Type.Object({ line: Type.Number() }), Type.Null()])),
});

const JestLikeReport = Type.Object({
  testResults: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      assertionResults: Type.Array(Assertion),
    }),
  ),
});

type JestLikeReport = Static<typeof JestLikeReport>;

/**
 * Counts and failures from the JSON reporter of jest (`--json`) or vitest (`--reporter=json`).
 * Their test file paths are absolute; they come back relative to `repoRoot`.
 */
export function parseJestLikeJson(json: unknown, repoRoot: string): TestSummary {
  const firstError = Value.Check(JestLikeReport, json) ? undefined : [...Value.Errors(JestLikeReport, json)][0];
  if (firstError) {
    throw new TestResultFormatError(
      `not a jest or vitest JSON report: ${pointerToField(firstError.instancePath) || 'top level'} ${firstError.message}`,
    );
  }
  const report = json as JestLikeReport;

  const summary: TestSummary = { total: 0, passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const testFile of report.testResults) {
    const file = repoFile(testFile.name, repoRoot);
    for (const assertion of testFile.assertionResults) {
      summary.total += 1;
      if (assertion.status === 'passed') {
        summary.passed += 1;
      } else if (assertion.status === 'failed') {
        summary.failed += 1;
        const messages = (assertion.failureMessages ?? []).join('\n');
        const name = assertion.fullName || assertion.title;
        summary.failures.push(
          testFailure({ name, file, line: assertion.location?.line, message: messages, details: messages }),
        );
      } else {
        // pending, skipped, todo, disabled: the test exists but did not run.
        summary.skipped += 1;
      }
    }
    // A file that fails to load (syntax error, missing import) reports no tests at all, only a message.
    const failedToRun = testFile.status === 'failed' && !testFile.assertionResults.some((a) => a.status === 'failed');
    if (failedToRun && testFile.message) {
      summary.total += 1;
      summary.failed += 1;
      summary.failures.push(testFailure({ name: file, file, message: testFile.message, details: testFile.message }));
    }
  }
  return summary;
}

function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

export function repoFile(file: string, repoRoot: string | undefined): string {
  return repoRoot === undefined ? file : (toRepoPath(file, repoRoot) ?? file);
}

/** The first stack frame in a file of the repository (not a dependency), as a repo-relative path and line. */
function frameInRepository(details: string, repoRoot: string): { file: string; line: number } | null {
  const root = repoRoot.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frames = new RegExp(`(?:file://)?${root}/([^\\s:()]+):(\\d+)`, 'g');
  for (const match of details.matchAll(frames)) {
    const [, file, line] = match;
    if (file && line && !file.startsWith('node_modules/')) return { file, line: Number(line) };
  }
  return null;
}

export interface FailureInput {
  name: string;
  file?: string;
  line?: number;
  message: string;
  /** Everything the report says about the failure, searched for the test file's stack frame. */
  details: string;
}

/** One failure as a report shows it: a short message without the stack, and the line of the test where known. */
export function testFailure(input: FailureInput): TestFailure {
  const result: TestFailure = { name: input.name, message: shortMessage(input.message) };
  if (input.file !== undefined) result.file = input.file;
  const line =
    input.line ??
    (input.file === undefined ? undefined : lineInStack(stripVTControlCharacters(input.details), input.file));
  if (line !== undefined) result.line = line;
  return result;
}

/** The line of the first stack frame in the test file itself, such as `test/math.test.ts:14:17`. */
function lineInStack(details: string, file: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The frame may print the path absolute or as a file URL, so the file may be preceded by a directory.
  const frame = new RegExp(`(?:^|[\\s(/])${escaped}:(\\d+)(?::\\d+)?`, 'm').exec(details);
  return frame?.[1] === undefined ? undefined : Number(frame[1]);
}

/** The failure without its stack, at most a few lines: jest keeps terminal colours in it, so those go too. */
function shortMessage(message: string): string {
  const lines = stripVTControlCharacters(message).replace(/\r\n?/g, '\n').split('\n');
  const stackStart = lines.findIndex((line) => STACK_FRAME.test(line));
  const withoutStack = (stackStart === -1 ? lines : lines.slice(0, stackStart)).join('\n').trim();
  // A message that is nothing but a stack still says something in its first frame.
  const body = withoutStack || (lines.find((line) => line.trim() !== '')?.trim() ?? '');
  let short = body.split('\n').slice(0, MAX_MESSAGE_LINES).join('\n');
  if (short.length > MAX_MESSAGE_CHARS) short = short.slice(0, MAX_MESSAGE_CHARS - 1).trimEnd();
  if (short.length < body.length) short += '…';
  return short === '' ? '(no failure message)' : short;
}
