import { describe, expect, it } from 'vitest';
import { asRunView, type PlanView, type RunSummary } from '../../../cli/api-types.js';
import { formatTime } from '../../../cli/follow.js';
import { renderRun } from '../../../cli/render-run.js';
import { renderDeployments, renderPlan, renderReports, renderRepositories, renderRuns, renderStarted, table } from '../../../cli/render.js';
import { at, awaitingDecision, deployRun, deployState, qaPassed, qaRunning, releaseAt, releaseEnded } from './runs.js';

const snapshot = { running: '·', formatTime };

describe('table', () => {
  it('pads every column but the last, and ends no line in spaces', () => {
    expect(table(['A', 'LONGER', 'C'], [['xyz', '1', ''], ['q', '22', 'end']])).toEqual(['A    LONGER  C', 'xyz  1', 'q    22      end']);
  });
});

describe('renderPlan', () => {
  const plan: PlanView = {
    sha: 'def5678def5678def5678def5678def5678def56',
    previous: { tag: 'v1.0.0', version: '1.0.0', sha: 'abc1234abc1234abc1234abc1234abc1234abc12' },
    version: '1.1.0',
    tag: 'v1.1.0',
    bump: 'minor',
    reason: 'minor: 1.0.0 → 1.1.0',
    commitCount: 2,
    commits: [
      { shortSha: 'def5678', type: 'feat', scope: 'api', subject: 'shout the greeting', bump: 'minor', reason: 'feat → minor' },
      { shortSha: '1111111', type: 'docs', scope: null, subject: 'explain the greeting', bump: null, reason: 'docs → no release' },
    ],
    changelogEntry: '## 1.1.0 (2025-10-13)\n\n### Features\n\n* **api:** shout the greeting (def5678)\n',
  };

  it('shows the next version, the reason per commit and the changelog entry', () => {
    expect(renderPlan('sample', plan)).toEqual([
      'Next release of sample: 1.1.0 (tag v1.1.0)',
      '  why   minor: 1.0.0 → 1.1.0',
      '  from  v1.0.0 (abc1234) to def5678, 2 commits',
      '',
      '  COMMIT   TYPE  SCOPE  BUMP   SUBJECT               WHY',
      '  def5678  feat  api    minor  shout the greeting    feat → minor',
      '  1111111  docs  -      -      explain the greeting  docs → no release',
      '',
      'Changelog entry:',
      '',
      '## 1.1.0 (2025-10-13)',
      '',
      '### Features',
      '',
      '* **api:** shout the greeting (def5678)',
    ]);
  });

  it('shows control and bidi characters in subjects, notes and the changelog as escapes, and keeps the columns aligned', () => {
    const lines = renderPlan('sample', {
      ...plan,
      commits: [
        { ...plan.commits[0]!, scope: 'a\x1b[2J', subject: '\x1b]0;owned\x07 \u202Etxt.exe' },
        plan.commits[1]!,
      ],
      changelogEntry: '## 1.1.0 (2025-10-13)\n\n* \u009b31m red\x7f (def5678)\n',
    });
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(lines.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(lines.slice(4, 7)).toEqual([
      '  COMMIT   TYPE  SCOPE       BUMP   SUBJECT                               WHY',
      '  def5678  feat  a\\u001b[2J  minor  \\u001b]0;owned\\u0007 <U+202E>txt.exe  feat → minor',
      '  1111111  docs  -           -      explain the greeting                  docs → no release',
    ]);
    expect(lines.at(-1)).toBe('* \\u009b31m red\\u007f (def5678)');
  });

  it('says when there is nothing to release, and when there was no release before', () => {
    const nothing = renderPlan('sample', {
      ...plan,
      previous: null,
      version: null,
      tag: null,
      bump: null,
      reason: 'nothing to release: 1 commit, none releasable',
      commitCount: 1,
      commits: [plan.commits[1]!],
      changelogEntry: null,
    });
    expect(nothing.slice(0, 3)).toEqual([
      'Nothing to release in sample',
      '  why   nothing to release: 1 commit, none releasable',
      '  from  the first commit (no release yet) to def5678, 1 commit',
    ]);
    expect(nothing.join('\n')).not.toContain('Changelog entry');
  });
});

describe('renderRuns', () => {
  it('lists runs as a table with local start times', () => {
    const runs: RunSummary[] = [
      { workflowId: 'release:sample', runId: 'r1', type: 'releaseWorkflow', status: 'COMPLETED', startTime: at(9, 5), closeTime: at(9, 7), repo: 'sample', stage: 'done', version: '1.1.0', outcome: 'deployed' },
      { workflowId: 'release:other', runId: 'r2', type: 'releaseWorkflow', status: 'RUNNING', startTime: at(10, 30), closeTime: null, repo: 'other', stage: 'qa', version: null, outcome: null },
    ];
    expect(renderRuns(runs)).toEqual([
      'WORKFLOW ID     TYPE     STATUS     STAGE  VERSION  OUTCOME   STARTED',
      'release:sample  release  COMPLETED  done   1.1.0    deployed  2025-10-13 09:05',
      'release:other   release  RUNNING    qa     -        -         2025-10-13 10:30',
    ]);
    expect(renderRuns([])).toEqual(['No runs.']);
  });
});

describe('renderReports and renderRepositories', () => {
  it('lists reports with their tests and coverage, then any warnings', () => {
    const lines = renderReports(
      'sample',
      [
        {
          name: 'test-pass-20251013-100005.md',
          outcome: 'test-pass',
          commit: 'abc1234def',
          created_at: at(10, 0, 5),
          tests: { total: 3, passed: 3, failed: 0, skipped: 0 },
          coverage: { changed_lines: 4, covered_lines: 4, percent: 100, threshold: 80, min_changed_lines: 1, gate: 'passed' },
          verified: false,
          verification: 'not signed',
        },
        {
          name: 'test-pass-20251013-100000.md',
          outcome: 'test-pass',
          commit: 'abc1234def',
          created_at: at(10, 0, 0),
          tests: { total: 3, passed: 3, failed: 0, skipped: 0 },
          coverage: { changed_lines: 4, covered_lines: 4, percent: 100, threshold: 80, min_changed_lines: 1, gate: 'passed' },
          verified: true,
          verification: 'signed with key 1a2b3c4d',
        },
      ] as never,
      ['context/odd.md: no front matter'],
    );
    expect(lines).toEqual([
      'REPORT                        OUTCOME    COMMIT   CREATED           TESTS       COVERAGE     SIGNED',
      'test-pass-20251013-100005.md  test-pass  abc1234  2025-10-13 10:00  3/3 passed  100% passed  NO (foreign)',
      'test-pass-20251013-100000.md  test-pass  abc1234  2025-10-13 10:00  3/3 passed  100% passed  yes',
      'warning: context/odd.md: no front matter',
    ]);
  });

  it('lists repositories without anything secret', () => {
    const lines = renderRepositories([
      { id: 'sample', source: 'path', branch: 'main', remote: 'origin', test: { command: ['npm', 'test'] }, coverage: { format: 'lcov', threshold: 80 }, deploy: { environment: 'production' }, health: { url: 'http://x' } },
    ]);
    expect(lines).toEqual(['ID      SOURCE  BRANCH  COVERAGE    DEPLOYS TO  TEST COMMAND', 'sample  path    main    lcov ≥ 80%  production  npm test']);
  });
});

describe('renderDeployments', () => {
  it('shows per environment what is live, then each run newest first with its outcome and who asked', () => {
    const entry = (version: string, outcome: 'deployed' | 'rolled-back' | 'abandoned' | 'failed', liveVersion: string | null, minute: number, requestedBy: string | null) => ({
      version, outcome, liveVersion, trigger: 'manual', requestedBy, startedAt: at(10, minute, 0), endedAt: at(10, minute + 1, 0),
      report: `deploy-20251013-10${String(minute + 1).padStart(2, '0')}00.md`, workflowId: 'deploy:sample:production', runId: `r${minute}`,
    });
    const lines = renderDeployments('sample', {
      environments: [{
        environment: 'production',
        live: { version: '1.0.0', since: at(10, 1, 0), report: 'deploy-20251013-100600.md' },
        entries: [entry('1.2.0', 'rolled-back', '1.0.0', 5, 'release:sample'), entry('1.1.0', 'abandoned', null, 3, 'api'), entry('1.0.0', 'deployed', '1.0.0', 0, null)],
      }],
      warnings: ['skipped deploy-20251013-090000.md: not a report shipgate wrote (its signature does not verify)'],
    });
    expect(lines).toEqual([
      'production: 1.0.0 is live, verified healthy since 2025-10-13 10:01 (deploy-20251013-100600.md)',
      'VERSION  OUTCOME      LIVE AFTER  TRIGGER  REQUESTED BY    ENDED             REPORT',
      '1.2.0    rolled-back  1.0.0       manual   release:sample  2025-10-13 10:06  deploy-20251013-100600.md',
      '1.1.0    abandoned    -           manual   api             2025-10-13 10:04  deploy-20251013-100400.md',
      '1.0.0    deployed     1.0.0       manual   -               2025-10-13 10:01  deploy-20251013-100100.md',
      'warning: skipped deploy-20251013-090000.md: not a report shipgate wrote (its signature does not verify)',
    ]);
  });

  it('says when nothing was verified healthy, and when nothing was deployed at all', () => {
    expect(renderDeployments('sample', { environments: [{ environment: 'staging', live: null, entries: [] }], warnings: [] })[0]).toBe(
      'staging: nothing verified healthy on record, so no rollback target',
    );
    expect(renderDeployments('sample', { environments: [], warnings: [] })).toEqual(["No deployments of sample on record in its context/ yet."]);
  });
});

describe('renderStarted', () => {
  it('names the run and how to follow it', () => {
    expect(renderStarted('QA of sample', { workflowId: 'qa:sample:abc1234def', runId: 'r1', sha: 'abc1234def' })).toEqual([
      'Started QA of sample at abc1234: qa:sample:abc1234def (run r1)',
      'Follow it with: shipgate status qa:sample:abc1234def --follow',
    ]);
  });
});

describe('renderRun', () => {
  it('shows a running QA run with its steps and the last test output', () => {
    expect(renderRun(qaRunning(), snapshot)).toEqual([
      'qa:sample:abc1234def5678abc1234def5678abc1234def56  RUNNING  stage: test',
      '  commit   abc1234 of sample (trigger manual)',
      '  steps',
      '    ✓ pin      worker w1',
      '    ✓ inspect  no report for this commit',
      '    ✓ analyse  2 commits, 3 files, 10 lines changed',
      '    · test',
      '    │ ▶ math',
      '    │   ✔ adds two numbers (0.4ms)',
    ]);
  });

  it('shows a passed QA run with tests, coverage, outcome and report', () => {
    const text = renderRun(qaPassed(), snapshot).join('\n');
    expect(text).toContain('COMPLETED  stage: done');
    expect(text).toContain('  tests    3 passed, 0 failed, 0 skipped (3 in all)');
    expect(text).toContain('  coverage 100% of changed lines (threshold 80%): passed');
    expect(text).toContain('  outcome  test-pass: all 3 tests passed; changed-line coverage 100% ≥ 80%');
    expect(text).toContain('  report   context/test-pass-20251013-100005.md');
    expect(text).not.toContain('│');
  });

  it('shows a run that did not answer its state query by its status alone', () => {
    expect(renderRun({ kind: 'qa', workflowId: 'qa:x:y', runId: 'r', status: 'TERMINATED', failure: 'stopped by a person' }, snapshot)).toEqual([
      'qa:x:y  TERMINATED',
      '  failure  stopped by a person',
    ]);
  });

  it("shows a release with its version, QA and the deployment's health", () => {
    const text = renderRun(releaseAt('deploy', deployState()), snapshot).join('\n');
    expect(text).toContain('release:sample  RUNNING  stage: deploy');
    expect(text).toContain('  version  1.1.0 (tag v1.1.0), previous 1.0.0');
    expect(text).toContain('  qa       test-pass qa:sample:');
    expect(text).toContain('  plan     minor: 1.0.0 → 1.1.0 (2 commits)');
    expect(text).toContain('    ✓ push       push done');
    expect(text).toContain('    · deploy');
    expect(text).toContain('  deploy   deploy:sample:production');
    expect(text).toContain('    stage    verify 1.1.0');
    expect(text).toContain('    health   ok · HTTP 200 · 12 ms · version 1.1.0');
  });

  it('shows the awaited decision of a deployment with its deadline', () => {
    const text = renderRun(deployRun(awaitingDecision()), snapshot).join('\n');
    expect(text).toContain('deploy:sample:production  RUNNING  stage: awaiting decision');
    expect(text).toContain('  error    health check failed 3 times (budget 2): HTTP 500');
    expect(text).toContain('    │ starting sample 1.1.0');
    expect(text).toContain('  awaiting a decision: retry | rollback | abandon (before 13:01:00)');
    expect(text).toContain('  health   failing · HTTP 500 · 8 ms · version 1.1.0: HTTP 500');
  });

  it('says, while a decision is awaited, where a rollback goes or why there is none', () => {
    const note = 'to 1.0.0, live and verified healthy in production since 2025-10-13T10:01:00Z (deploy-20251013-100100.md)';
    expect(renderRun(deployRun({ ...awaitingDecision(), rollbackNote: note }), snapshot)).toContain(`  rollback ${note}`);
    expect(renderRun(deployRun({ ...deployState(), rollbackNote: note }), snapshot).join('\n')).not.toContain('rollback');
  });

  it('marks the unfinished step of a run that ended with ✗', () => {
    const failed = { ...releaseAt('qa'), status: 'FAILED', failure: 'activity task failed' };
    expect(renderRun(failed, snapshot)).toContain('    ✗ qa');
  });

  it('shows the outcome of an ended release', () => {
    expect(renderRun(releaseEnded('deployed', 'v1.1.0 released; 1.1.0 is live'), snapshot)).toContain('  outcome  deployed: v1.1.0 released; 1.1.0 is live');
  });
});

describe('asRunView', () => {
  it('reads the live state whether the API spreads it beside the status or nests it under `state`', () => {
    const nested = asRunView('release', { workflowId: 'release:sample', runId: 'r', status: 'RUNNING', state: { kind: 'release', stage: 'qa', version: null } });
    expect(nested).toMatchObject({ kind: 'release', workflowId: 'release:sample', status: 'RUNNING', stage: 'qa' });
    expect(nested).not.toHaveProperty('state');
    expect(asRunView('qa', { workflowId: 'qa:x:y', runId: 'r', status: 'RUNNING', stage: 'test' })).toMatchObject({ kind: 'qa', stage: 'test' });
    expect(asRunView('deploy', { workflowId: 'deploy:x:prod', runId: 'r', status: 'COMPLETED', state: null })).toEqual({
      kind: 'deploy',
      workflowId: 'deploy:x:prod',
      runId: 'r',
      status: 'COMPLETED',
    });
  });
});
