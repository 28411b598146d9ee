import { serializeReport, type QaReportFrontMatter } from '../context/report.js';
import { escapeMarkdown } from './markdown.js';
import { counted } from './plural.js';
import { visibleText } from './visible-text.js';
import type { QaOutcome } from '../vocabulary/messages.js';
import type { DiffCoverageResult } from './diff-coverage.js';
import type { TestSummary } from './test-results.js';
import { RUNNER_NAMES, type OutputFailures } from './test-output.js';

/** What the test step learned: the process's fate and, where configured, the runner's own result. */
export interface TestRunFacts {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  timeoutMs: number;
  spawnError: string | null;
  durationMs: number;
  tail: string[];
  logFile: string;
  summary: TestSummary | null;
  resultsProblem: string | null;
  /** Without `test.results`: the failing tests named in the console output, when its runner was recognised. */
  fromOutput?: OutputFailures | null;
}

export type CoverageFacts =
  { configured: false } | { configured: true; result: DiffCoverageResult | null; problem: string | null };

export interface ChangeFacts {
  baseRef: string | null;
  commits: {
    sha: string;
    shortSha: string;
    type: string | null;
    subject: string;
    bump: string | null;
    files: string[];
  }[];
  commitCount: number;
  features: number;
  fixes: number;
  breaking: number;
  others: number;
  changedFiles: number;
  changedLines: number;
}

export interface QaReportInput {
  repoId: string;
  branch: string;
  sha: string;
  tree: string;
  createdAt: string;
  workflowId: string;
  runId: string;
  /** Who asked for the run; absent when its input names no one (a parent's run, or older runs). */
  requestedBy?: string;
  changes: ChangeFacts;
  tests: TestRunFacts;
  coverage: CoverageFacts;
}

export function testsFailed(tests: TestRunFacts): boolean {
  return tests.timedOut || tests.spawnError !== null || tests.exitCode !== 0 || (tests.summary?.failed ?? 0) > 0;
}

export function qaOutcome(tests: TestRunFacts, coverage: CoverageFacts): QaOutcome {
  if (testsFailed(tests)) return 'test-failures';
  if (
    coverage.configured &&
    (coverage.result === null || coverage.result.gate === 'failed' || coverage.result.gate === 'no-coverage')
  )
    return 'test-gaps';
  return 'test-pass';
}

export function qaReason(tests: TestRunFacts, coverage: CoverageFacts): string {
  if (tests.spawnError) return `the test command could not be started: ${tests.spawnError}`;
  if (tests.timedOut) return `the test suite timed out after ${seconds(tests.timeoutMs)} and was killed`;
  if ((tests.summary?.failed ?? 0) > 0)
    return `${tests.summary?.failed} of ${counted(tests.summary?.total ?? 0, 'test')} failed`;
  if (tests.exitCode !== 0 && tests.fromOutput) {
    return `${counted(tests.fromOutput.failures.length, 'failing test')} named in the output of ${RUNNER_NAMES[tests.fromOutput.runner]}`;
  }
  if (tests.exitCode !== 0) return `the test command exited with ${tests.exitCode ?? tests.signal}`;
  if (!coverage.configured) return 'all tests passed (coverage of changed lines is not configured)';
  if (coverage.result === null) return `no coverage was produced: ${coverage.problem ?? 'unknown reason'}`;
  return coverage.result.gate === 'failed' || coverage.result.gate === 'passed'
    ? `${coverage.result.totals.percent ?? 0}% of changed executable lines covered ` +
        `(threshold ${coverage.result.threshold}%)`
    : coverage.result.reason;
}

export function renderQaReport(input: QaReportInput): { outcome: QaOutcome; text: string } {
  const outcome = qaOutcome(input.tests, input.coverage);
  const cov = input.coverage.configured ? input.coverage.result : null;
  const frontMatter: QaReportFrontMatter = {
    outcome,
    repository: input.repoId,
    branch: input.branch,
    commit: input.sha,
    tree: input.tree,
    created_at: input.createdAt,
    test_command: input.tests.command,
    duration_ms: input.tests.durationMs,
    tests: {
      total: input.tests.summary?.total ?? null,
      passed: input.tests.summary?.passed ?? null,
      failed: input.tests.summary?.failed ?? null,
      skipped: input.tests.summary?.skipped ?? null,
    },
    coverage: {
      changed_lines: cov?.totals.executableLines ?? 0,
      covered_lines: cov?.totals.coveredLines ?? 0,
      percent: cov?.totals.percent ?? null,
      threshold: cov?.threshold ?? 0,
      min_changed_lines: cov?.minChangedLines ?? 0,
      gate: !input.coverage.configured ? 'not-configured' : cov === null ? 'no-coverage' : cov.gate,
    },
    timed_out: input.tests.timedOut,
    base: input.changes.baseRef,
    ...(input.requestedBy === undefined ? {} : { requested_by: input.requestedBy }),
    workflow_id: input.workflowId,
    run_id: input.runId,
  };
  const body = [
    `# ${TITLES[outcome]}: ${input.repoId} at ${input.sha.slice(0, 7)}`,
    '',
    `**Verdict:** ${qaReason(input.tests, input.coverage)}.`,
    '',
    ...(input.requestedBy === undefined ? [] : [`**Requested by:** ${escapeMarkdown(input.requestedBy)}`, '']),
    ...(outcome === 'test-failures' ? failureSection(input) : []),
    ...(outcome !== 'test-failures' && input.coverage.configured ? coverageSection(input.coverage) : []),
    ...changesSection(input.changes),
    ...testRunSection(input.tests),
  ].join('\n');
  // Test output and error texts keep their lines, but never a terminal's controls: people `cat` reports.
  return { outcome, text: serializeReport(frontMatter, visibleText(body, { keep: '\n\t' })) };
}

const TITLES: Record<QaOutcome, string> = {
  'test-pass': 'Tests pass',
  'test-failures': 'Tests fail',
  'test-gaps': 'Coverage gaps',
};

function failureSection(input: QaReportInput): string[] {
  const lines = ['## Failure analysis', ''];
  const { tests, changes } = input;
  if (tests.spawnError) {
    lines.push(
      `The command \`${inlineCode(tests.command.join(' '))}\` could not be started (${tests.spawnError}). ` +
        `Check the \`test.command\` setting: the program must exist on the worker and be executable.`,
      '',
    );
  } else if (tests.timedOut) {
    lines.push(
      `The suite ran longer than its ${seconds(tests.timeoutMs)} timeout; ` +
        `its process group was killed. A test that waits forever ` +
        `(an open handle, a server never closed, a prompt) is the usual cause; the last output lines are below.`,
      '',
    );
  }
  const fromOutput = tests.summary?.failures.length ? null : (tests.fromOutput ?? null);
  const failures = fromOutput?.failures ?? tests.summary?.failures ?? [];
  if (failures.length > 0) {
    lines.push('| Test | Location | Changed in this release |', '| --- | --- | --- |');
    for (const failure of failures.slice(0, 100)) {
      const where = failure.file ? `${failure.file}${failure.line ? `:${failure.line}` : ''}` : 'unknown';
      const touching = failure.file
        ? changes.commits.filter((c) => c.files.includes(failure.file as string)).map((c) => c.shortSha)
        : [];
      lines.push(`| ${oneLine(failure.name)} | ${oneLine(where)} | ${touching.length ? touching.join(', ') : '—'} |`);
    }
    if (failures.length > 100) lines.push('', `…and ${failures.length - 100} more.`);
    lines.push('');
    for (const failure of failures.slice(0, 20)) {
      lines.push(`### ${oneLine(failure.name)}`, '', '```text', fence(failure.message), '```', '');
    }
    if (fromOutput)
      lines.push(
        `Read from the console output of ${RUNNER_NAMES[fromOutput.runner]}; ` +
          `configure \`test.results\` for exact counts.`,
        '',
      );
  } else if (!tests.spawnError && !tests.timedOut) {
    lines.push(
      ...(tests.resultsProblem
        ? [
            `No machine-readable result could be read (${tests.resultsProblem}); ` +
              `the command exited with ${tests.exitCode ?? tests.signal}.`,
            '',
          ]
        : howToConfigureResults(tests.exitCode ?? tests.signal)),
    );
  }
  const suspects = changes.commits.filter((c) => c.files.length > 0).slice(0, 20);
  if (suspects.length > 0) {
    lines.push('Commits since the last release, newest first:', '');
    for (const commit of suspects)
      lines.push(`- ${commit.shortSha} ${oneLine(commit.subject)} (${counted(commit.files.length, 'file')})`);
    lines.push('');
  }
  return lines;
}

/** What to write in the configuration so that the next report names each failing test. */
function howToConfigureResults(exit: number | string | null): string[] {
  return [
    `The command exited with ${exit}, and its output is not one shipgate reads (node's test runner, vitest or jest), ` +
      `so the failing tests are not named here. To name them, ` +
      `set \`test.results\` to the report your runner writes, for example:`,
    '',
    '- vitest: `vitest run --reporter=default --reporter=junit --outputFile.junit=reports/junit.xml`',
    '- node: ' +
      '`node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml`',
    '- jest: `jest --json --outputFile=reports/jest.json`, with `format: jest-json`',
    '',
    "with `results: { format: junit, path: reports/junit.xml }` under `test:` in the repository's settings.",
    '',
  ];
}

function coverageSection(coverage: CoverageFacts & { configured: true }): string[] {
  const lines = ['## Coverage of changed lines', ''];
  const result = coverage.result;
  if (!result) return [...lines, `No coverage was produced: ${coverage.problem ?? 'unknown reason'}.`, ''];
  lines.push(
    `${result.reason}.`,
    '',
    `Changed executable lines: ${result.totals.executableLines}, covered: ` +
      `${result.totals.coveredLines}, threshold: ${result.threshold}%.`,
    '',
  );
  const files = result.files.filter((f) => f.executableLines > 0);
  if (files.length > 0) {
    lines.push('| File | Covered | Uncovered lines |', '| --- | --- | --- |');
    for (const file of files.slice(0, 200)) {
      const pct = file.percent === null ? '—' : `${file.percent}%`;
      lines.push(
        `| ${oneLine(file.path)}${file.missingFromReport ? ' (not in the coverage report)' : ''} | ${pct} ` +
          `(${file.coveredLines}/${file.executableLines}) | ${file.uncoveredRanges || '—'} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function changesSection(changes: ChangeFacts): string[] {
  const lines = ['## What changed', ''];
  const since = changes.baseRef ? `\`${changes.baseRef}\`` : 'the beginning (no release yet)';
  const kinds =
    `${counted(changes.features, 'feature')}, ${counted(changes.fixes, 'fix', 'fixes')}, ` +
    `${changes.breaking} breaking, ${changes.others} other`;
  const size = `${counted(changes.changedFiles, 'file')} and ${counted(changes.changedLines, 'line')} changed`;
  lines.push(`${counted(changes.commitCount, 'commit')} since ${since}: ${kinds}; ${size}.`, '');
  for (const commit of changes.commits.slice(0, 50))
    lines.push(`- ${commit.shortSha} ${oneLine(commit.subject)}${commit.bump ? ` (${commit.bump})` : ''}`);
  if (changes.commits.length > 50) lines.push(`- …and ${changes.commitCount - 50} more`);
  lines.push('');
  return lines;
}

function testRunSection(tests: TestRunFacts): string[] {
  const counts = tests.summary
    ? `${tests.summary.passed} passed, ${tests.summary.failed} failed, ${tests.summary.skipped} skipped`
    : 'counts unknown';
  return [
    '## Test run',
    '',
    `\`${inlineCode(tests.command.join(' '))}\` — ${seconds(tests.durationMs)}, ` +
      `exit ${tests.exitCode ?? tests.signal ?? 'none'}, ${counts}. ` +
      `Full log on the worker: \`${inlineCode(tests.logFile)}\`.`,
    '',
    '```text',
    fence(tests.tail.slice(-40).join('\n')),
    '```',
    '',
  ];
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** Subjects, test names and paths come from the repository: they must render as plain text. */
function oneLine(text: string): string {
  return escapeMarkdown(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function inlineCode(text: string): string {
  return text.replace(/`/g, "'");
}

/** Output inside a fence must not close it early. */
function fence(text: string): string {
  return text.replace(/```/g, "'''").slice(-20_000);
}
