import { stripVTControlCharacters } from 'node:util';
import { repoFile, testFailure, type TestFailure } from './test-results.js';

/** The runners whose console output names the failing tests well enough to read them back. */
export type OutputRunner = 'node-tap' | 'node-spec' | 'vitest' | 'jest';

export const RUNNER_NAMES: Record<OutputRunner, string> = {
  'node-tap': "node's test runner (TAP)",
  'node-spec': "node's test runner (spec reporter)",
  vitest: 'vitest',
  jest: 'jest',
};

export interface OutputFailures {
  runner: OutputRunner;
  failures: TestFailure[];
}

/** Enough for any report; the rest of a long list is in the log. */
const MAX_FAILURES = 200;

/**
 * The failing tests named in a test command's console output, for a repository without
 * `test.results`: node's test runner (TAP or spec), vitest's and jest's default reporters.
 * Null when the output is none of these or names no failing test; the counts stay unknown,
 * since a console never says them as reliably as a report file.
 */
export function failuresFromOutput(output: string, repoRoot?: string): OutputFailures | null {
  const lines = stripVTControlCharacters(output).replace(/\r\n?/g, '\n').split('\n');
  const readers: [OutputRunner, (lines: string[], repoRoot?: string) => TestFailure[] | null][] = [
    ['node-tap', nodeTap],
    ['node-spec', nodeSpec],
    ['vitest', vitest],
    ['jest', jest],
  ];
  for (const [runner, read] of readers) {
    const failures = read(lines, repoRoot);
    if (failures && failures.length > 0) return { runner, failures: failures.slice(0, MAX_FAILURES) };
  }
  return null;
}

/** TAP from `node --test`: `not ok N - name` with a YAML block giving `location` and `error`. */
function nodeTap(lines: string[], repoRoot?: string): TestFailure[] | null {
  if (!lines.some((line) => /^TAP version \d+$/.test(line))) return null;
  const failures: TestFailure[] = [];
  const parents: { indent: number; name: string }[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (subtest) {
      const indent = subtest[1]!.length;
      while (parents.length > 0 && parents.at(-1)!.indent >= indent) parents.pop();
      parents.push({ indent, name: subtest[2]! });
      continue;
    }
    const notOk = /^(\s*)not ok \d+ - (.*?)(\s+# (?:TODO|SKIP)\b.*)?$/.exec(line);
    if (!notOk || notOk[3]) continue;
    const indent = notOk[1]!.length;
    const block = yamlBlock(lines, i + 1, indent);
    // A suite fails because its tests did; those are listed themselves.
    if (block.fields.get('failureType') === 'subtestsFailed') continue;
    const location = /^(.*):(\d+):\d+$/.exec(block.fields.get('location') ?? '');
    const ancestors = parents.filter((p) => p.indent < indent).map((p) => p.name);
    const file = location ? repoFile(location[1]!, repoRoot) : undefined;
    const stack = block.blocks.get('stack') ?? '';
    failures.push(
      testFailure({
        name: [...ancestors, unescapeTap(notOk[2]!)].join(' > '),
        file,
        // The stack names the line of the failing statement; `location` names where the test starts.
        line: (file ? lineOf(stack, file) : undefined) ?? (location ? Number(location[2]) : undefined),
        message: block.blocks.get('error') ?? block.fields.get('error') ?? '',
        details: stack,
      }),
    );
  }
  return failures;
}

/** The YAML block node writes under a test line: `key: 'value'` fields and `key: |-` text blocks. */
function yamlBlock(
  lines: string[],
  start: number,
  indent: number,
): { fields: Map<string, string>; blocks: Map<string, string> } {
  const fields = new Map<string, string>();
  const blocks = new Map<string, string>();
  const keyIndent = indent + 2;
  if (lines[start]?.trim() !== '---') return { fields, blocks };
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line.trim() === '...' || (line.trim() !== '' && leading(line) < keyIndent)) break;
    const entry = leading(line) === keyIndent ? /^\s*([A-Za-z_]+):\s*(.*)$/.exec(line) : null;
    if (!entry) continue;
    const [, key, value] = entry as unknown as [string, string, string];
    if (value === '|-' || value === '|' || value === '>-') {
      const text: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || leading(lines[i + 1]!) > keyIndent)) {
        i += 1;
        text.push(lines[i]!.slice(keyIndent + 2));
      }
      blocks.set(key, text.join('\n').trimEnd());
    } else {
      fields.set(key, value.replace(/^'(.*)'$/, '$1').replace(/''/g, "'"));
    }
  }
  return { fields, blocks };
}

/** `node --test --test-reporter=spec`: the closing "✖ failing tests:" list, each with `test at <file>:<line>`. */
function nodeSpec(lines: string[], repoRoot?: string): TestFailure[] | null {
  const start = lines.findIndex((line) => /^✖ failing tests:$/.test(line));
  if (start === -1) return null;
  const failures: TestFailure[] = [];
  for (let i = start + 1; i < lines.length; i += 1) {
    const at = /^test at (.*):(\d+):\d+$/.exec(lines[i]!);
    const title = at ? /^✖ (.*?)(?: \([\d.]+m?s\))?$/.exec(lines[i + 1] ?? '') : null;
    if (!at || !title) continue;
    const body: string[] = [];
    for (i += 2; i < lines.length && !/^test at /.test(lines[i]!); i += 1) body.push(lines[i]!.replace(/^ {2}/, ''));
    i -= 1;
    const file = repoFile(at[1]!, repoRoot);
    const details = body.join('\n');
    failures.push(
      testFailure({ name: title[1]!, file, line: lineOf(details, file) ?? Number(at[2]), message: details, details }),
    );
  }
  return failures;
}

/** vitest's default reporter: ` FAIL  <file> > <suite> > <test>`, the error, then ` ❯ <file>:<line>:<col>`. */
function vitest(lines: string[], repoRoot?: string): TestFailure[] | null {
  const header = /^ FAIL {2}(\S+)(?: > (.*?))?(?: \[ .* \])?$/;
  if (!lines.some((line) => header.test(line))) return null;
  const failures: TestFailure[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const head = header.exec(lines[i]!);
    if (!head) continue;
    const body: string[] = [];
    for (i += 1; i < lines.length && !header.test(lines[i]!) && !/^⎯{3,}/.test(lines[i]!); i += 1) body.push(lines[i]!);
    i -= 1;
    const file = repoFile(head[1]!, repoRoot);
    const details = body.join('\n');
    // A file that failed to load has no test name; the file is what failed.
    failures.push(testFailure({ name: head[2] ?? file, file, line: lineOf(details, file), message: details, details }));
  }
  return failures;
}

/** jest's default reporter: `FAIL <file>`, then one `  ● <suite> › <test>` block per failing test. */
function jest(lines: string[], repoRoot?: string): TestFailure[] | null {
  if (!lines.some((line) => /^Tests: +\d/.test(line)) || !lines.some((line) => /^FAIL /.test(line))) return null;
  const failures: TestFailure[] = [];
  let file: string | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const suite = /^(?:FAIL|PASS) (\S+)/.exec(lines[i]!);
    if (suite) {
      file = repoFile(suite[1]!, repoRoot);
      continue;
    }
    const bullet = /^ {2}● (.*)$/.exec(lines[i]!);
    if (!bullet) continue;
    const body: string[] = [];
    for (
      i += 1;
      i < lines.length && !/^ {2}● /.test(lines[i]!) && !/^(?:FAIL|PASS) |^Test Suites:/.test(lines[i]!);
      i += 1
    )
      body.push(lines[i]!.replace(/^ {4}/, ''));
    i -= 1;
    const details = body.join('\n');
    // The code frame under the message (`> 5 | …`) is not part of it.
    const frame = body.findIndex((line) => /^\s*>?\s*\d+ \|/.test(line));
    const message = (frame === -1 ? body : body.slice(0, frame)).join('\n');
    const name = bullet[1] === 'Test suite failed to run' && file ? file : bullet[1]!;
    failures.push(testFailure({ name, file, line: file ? lineOf(details, file) : undefined, message, details }));
  }
  return failures;
}

/** The line of the first mention of `file:<line>` in a stack or code frame. */
function lineOf(text: string, file: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(`(?:^|[\\s(/])${escaped}:(\\d+)`, 'm').exec(text);
  return found ? Number(found[1]) : undefined;
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

/** node escapes `#` and `\` in TAP test names. */
function unescapeTap(name: string): string {
  return name.replace(/\\([#\\])/g, '$1');
}
