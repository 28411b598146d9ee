import { describe, expect, it } from 'vitest';
import type { PlanView } from '../../../../cli/api-types.js';
import { renderPlan } from '../../../../cli/commands/plan.js';

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
      {
        shortSha: 'def5678',
        type: 'feat',
        scope: 'api',
        subject: 'shout the greeting',
        bump: 'minor',
        reason: 'feat → minor',
      },
      {
        shortSha: '1111111',
        type: 'docs',
        scope: null,
        subject: 'explain the greeting',
        bump: null,
        reason: 'docs → no release',
      },
    ],
    summary: [
      { type: 'docs', commits: 1, releasing: 0, bump: null },
      { type: 'feat', commits: 1, releasing: 1, bump: 'minor' },
    ],
    page: { offset: 0, limit: 100, next: null },
    changelogEntry: '## 1.1.0 (2025-10-13)\n\n### Features\n\n* **api:** shout the greeting (def5678)\n',
    changelogLinesLeftOut: 0,
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

  it('shows the summary per type beside the first page of a long history, and how many commits are left', () => {
    const lines = renderPlan('sample', {
      ...plan,
      commitCount: 250,
      summary: [
        { type: 'fix', commits: 200, releasing: 200, bump: 'patch' },
        { type: 'feat', commits: 49, releasing: 48, bump: 'minor' },
        { type: null, commits: 1, releasing: 0, bump: null },
      ],
      page: { offset: 0, limit: 2, next: `${plan.sha}.2` },
    });
    expect(lines.slice(3, 9)).toEqual([
      '',
      '  TYPE  COMMITS  RELEASING  BUMP',
      '  fix   200      200        patch',
      '  feat  49       48         minor',
      '  -     1        0          -',
      '',
    ]);
    expect(lines).toContain('  … and 248 more (--all lists them)');
  });

  it('names the branch planned: its prerelease identifier and channel, or its maintenance range', () => {
    const beta = renderPlan('sample', {
      ...plan,
      version: '2.0.0-beta.1',
      tag: 'v2.0.0-beta.1',
      branch: { name: 'beta', kind: 'prerelease', channel: 'beta', prerelease: 'beta', range: null, deploy: false },
    });
    expect(beta.slice(0, 3)).toEqual([
      'Next release of sample: 2.0.0-beta.1 (tag v2.0.0-beta.1)',
      '  branch beta (prerelease -beta, channel beta)',
      '  why   minor: 1.0.0 → 1.1.0',
    ]);
    const maintenance = renderPlan('sample', {
      ...plan,
      version: null,
      branch: {
        name: '1.x',
        kind: 'maintenance',
        channel: '1.x',
        prerelease: null,
        range: { min: '1.0.0', max: '2.0.0' },
        deploy: true,
      },
    });
    expect(maintenance.slice(0, 2)).toEqual([
      'Nothing to release in sample on 1.x',
      '  branch 1.x (maintenance >=1.0.0 <2.0.0, channel 1.x, deploys)',
    ]);
    const main = renderPlan('sample', {
      ...plan,
      branch: { name: 'main', kind: 'release', channel: 'latest', prerelease: null, range: null, deploy: true },
    });
    expect(main[1]).toBe('  branch main (release, channel latest)');
  });

  it('says how many lines of a long changelog entry the answer left out', () => {
    const lines = renderPlan('sample', { ...plan, changelogLinesLeftOut: 5998 });
    expect(lines.at(-1)).toBe('… and 5998 more lines (the release writes the whole entry)');
  });
});
