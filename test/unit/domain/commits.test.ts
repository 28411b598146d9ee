import { describe, expect, it } from 'vitest';
import {
  analyseCommits,
  analyseCommitsInSlices,
  MAX_BODY_CHARS,
  MAX_HEADER_CHARS,
  type RawCommit,
} from '../../../domain/commits.js';
import type { ReleaseRule } from '../../../domain/commit.js';
import { OUTSIDE, commit, shaFor } from './commit-fixtures.js';

function only(message: string) {
  const [entry] = analyseCommits([commit(1, message)]).entries;
  if (!entry) throw new Error('no entry');
  return entry;
}

function revertOf(n: number, target: RawCommit, sha = target.sha): RawCommit {
  return commit(n, `Revert "${target.subject}"\n\nThis reverts commit ${sha}.`);
}

describe('analyseCommits: release types', () => {
  it('releases a feat as a minor, keeping type, scope and subject', () => {
    expect(only('feat(api): add pagination')).toMatchObject({
      type: 'feat',
      scope: 'api',
      subject: 'add pagination',
      breaking: false,
      bump: 'minor',
      reason: 'feat → minor',
    });
  });

  it('releases fix and perf as patches', () => {
    expect(only('fix: handle empty body')).toMatchObject({ bump: 'patch', reason: 'fix → patch' });
    expect(only('perf(db): batch inserts')).toMatchObject({ bump: 'patch', reason: 'perf → patch' });
  });

  it.each(['docs', 'chore', 'refactor', 'test', 'ci', 'build', 'style', 'wip'])(
    'does not release a %s commit',
    (type) => {
      expect(only(`${type}: something`)).toMatchObject({ type, bump: null, reason: `${type} → no release` });
    },
  );

  it('does not release a message that is not a conventional commit', () => {
    expect(only('Update README')).toMatchObject({
      type: null,
      subject: 'Update README',
      bump: null,
      reason: 'not a conventional commit → no release',
    });
    expect(only('feat:missing space')).toMatchObject({ type: null, bump: null });
  });

  it('does not mistake a type named after an object member for a release type', () => {
    expect(only('constructor: x')).toMatchObject({ bump: null, reason: 'constructor → no release' });
    expect(only('__proto__: x')).toMatchObject({ bump: null });
  });

  it('reads the type case-insensitively, as the specification asks', () => {
    expect(only('Feat: shout')).toMatchObject({ type: 'feat', bump: 'minor' });
  });

  it('copes with an empty message instead of throwing', () => {
    expect(only('')).toMatchObject({ bump: null, reason: 'empty message → no release' });
  });

  it('keeps the short SHA and the input order', () => {
    const commits = [commit(1, 'fix: a'), commit(2, 'docs: b'), commit(3, 'feat: c')];
    const { entries } = analyseCommits(commits);
    expect(entries.map((e) => e.sha)).toEqual(commits.map((c) => c.sha));
    expect(entries[0]?.shortSha).toBe(shaFor(1).slice(0, 7));
  });
});

describe('analyseCommits: breaking changes', () => {
  it('makes `feat!:` a major whose note is the subject', () => {
    expect(only('feat!: drop Node 18')).toMatchObject({
      type: 'feat',
      breaking: true,
      breakingNotes: ['drop Node 18'],
      bump: 'major',
      reason: 'feat! → major',
    });
  });

  it('makes `feat(api)!:` a major and keeps the scope', () => {
    expect(only('feat(api)!: remove v1 routes')).toMatchObject({
      scope: 'api',
      subject: 'remove v1 routes',
      bump: 'major',
    });
  });

  it('makes `!` breaking on any type, even chore', () => {
    expect(only('chore!: require Postgres 16')).toMatchObject({ type: 'chore', breaking: true, bump: 'major' });
  });

  it('makes a BREAKING CHANGE footer a major and records its note without later trailers', () => {
    const entry = only(
      'fix: tighten parsing\n\nBody text.\n\nBREAKING CHANGE: dates must be ISO 8601\nwith a zone\nReviewed-by: Ann',
    );
    expect(entry).toMatchObject({
      type: 'fix',
      breaking: true,
      breakingNotes: ['dates must be ISO 8601\nwith a zone'],
      bump: 'major',
      reason: 'BREAKING CHANGE footer → major',
    });
  });

  it('accepts the BREAKING-CHANGE footer spelling too', () => {
    expect(only('refactor: rename\n\nBREAKING-CHANGE: `run` is now `start`')).toMatchObject({
      breakingNotes: ['`run` is now `start`'],
      bump: 'major',
      reason: 'BREAKING-CHANGE footer → major',
    });
  });

  it('prefers the footer note over the subject when a `!` commit has both', () => {
    expect(only('feat!: new config\n\nBREAKING CHANGE: `port` moved to `server.port`')).toMatchObject({
      breakingNotes: ['`port` moved to `server.port`'],
      reason: 'feat! → major',
    });
  });

  it('does not treat "breaking change" in ordinary prose as a footer', () => {
    expect(only('fix: guard\n\nThis avoids a breaking change: nothing else moves.')).toMatchObject({
      breaking: false,
      bump: 'patch',
    });
  });
});

describe('analyseCommits: reverts', () => {
  it('drops a commit and its revert when both are in the range', () => {
    const feat = commit(1, 'feat: risky thing');
    const revert = revertOf(2, feat);
    const analysis = analyseCommits([revert, feat]);

    expect(analysis.bump).toBeNull();
    expect(analysis.features).toEqual([]);
    expect(analysis.reverts).toEqual([]);
    expect(analysis.entries[1]?.reason).toBe(`cancelled by revert ${revert.sha.slice(0, 7)}`);
    expect(analysis.entries[0]?.reason).toBe(`reverts ${feat.sha.slice(0, 7)} in the same range → both dropped`);
  });

  it('matches a revert that names an abbreviated SHA', () => {
    const feat = commit(1, 'feat: risky thing');
    const analysis = analyseCommits([revertOf(2, feat, feat.sha.slice(0, 7)), feat, commit(3, 'fix: other')]);
    expect(analysis.bump).toBe('patch');
    expect(analysis.fixes.map((e) => e.subject)).toEqual(['other']);
  });

  it('matches the Conventional `revert:` form with a "This reverts commit" line', () => {
    const feat = commit(1, 'feat: risky thing');
    const revert = commit(2, `revert: feat: risky thing\n\nThis reverts commit ${feat.sha}.`);
    expect(analyseCommits([revert, feat]).bump).toBeNull();
  });

  it('releases a lone revert as a patch listed under reverts', () => {
    const analysis = analyseCommits([commit(2, `Revert "feat(ui): dark mode"\n\nThis reverts commit 1a2b3c4d5e.`)]);
    expect(analysis.bump).toBe('patch');
    expect(analysis.reverts).toHaveLength(1);
    expect(analysis.reverts[0]).toMatchObject({
      type: 'revert',
      subject: 'feat(ui): dark mode',
      revertOf: '1a2b3c4d5e',
      reason: 'lone revert of 1a2b3c4 → patch',
    });
  });

  it('counts a revert as lone when its abbreviated SHA is ambiguous in the range', () => {
    const a = { ...commit(1, 'feat: a'), sha: 'abcd1111' + '0'.repeat(32) };
    const b = { ...commit(3, 'feat: b'), sha: 'abcd2222' + '0'.repeat(32) };
    const analysis = analyseCommits([commit(2, 'Revert "feat: a"\n\nThis reverts commit abcd.'), a, b]);
    expect(analysis.reverts).toHaveLength(1);
    expect(analysis.features).toHaveLength(2);
  });

  it('re-applies the original when the revert is itself reverted', () => {
    const feat = commit(1, 'feat: comeback');
    const revert = revertOf(2, feat);
    const revertOfRevert = revertOf(3, revert);
    const analysis = analyseCommits([revertOfRevert, revert, feat]);

    expect(analysis.bump).toBe('minor');
    expect(analysis.features.map((e) => e.sha)).toEqual([feat.sha]);
    expect(analysis.reverts).toEqual([]);
    expect(analysis.entries[1]?.reason).toBe(`cancelled by revert ${revertOfRevert.sha.slice(0, 7)}`);
  });

  it('drops the commits a reverted merge brought in', () => {
    const main = commit(1, 'fix: on main');
    const branchFeat = commit(2, 'feat: on the branch');
    const merge = commit(3, 'Merge pull request #7 from o/branch', [main.sha, branchFeat.sha]);
    const revert = commit(
      4,
      `Revert "Merge pull request #7 from o/branch"\n\nThis reverts commit ${merge.sha}, reversing\nchanges made to ${main.sha}.`,
    );
    const analysis = analyseCommits([revert, merge, branchFeat, main]);

    expect(analysis.features).toEqual([]);
    expect(analysis.fixes.map((e) => e.sha)).toEqual([main.sha]);
    expect(analysis.bump).toBe('patch');
    expect(analysis.entries[1]?.reason).toBe('ignored: merge commit');
  });

  it('drops only what a reverted merge brought, when its branch had merged the mainline meanwhile', () => {
    const root = commit(1, 'chore: root');
    const mainFeat = commit(2, 'feat: on main', [root.sha]);
    const mainFix = commit(3, 'fix: later on main', [mainFeat.sha]);
    const sideFeat = commit(4, 'feat: on the branch', [root.sha]);
    const catchUp = commit(5, 'Merge main into branch', [sideFeat.sha, mainFeat.sha]);
    const sidePerf = commit(6, 'perf: on the branch after catching up', [catchUp.sha]);
    const merge = commit(7, 'Merge branch', [mainFix.sha, sidePerf.sha]);
    const revert = commit(8, `Revert "Merge branch"\n\nThis reverts commit ${merge.sha}.`, [merge.sha]);
    const analysis = analyseCommits([revert, merge, sidePerf, catchUp, sideFeat, mainFix, mainFeat, root]);

    expect(analysis.features.map((e) => e.sha)).toEqual([mainFeat.sha]);
    expect(analysis.fixes.map((e) => e.sha)).toEqual([mainFix.sha]);
    expect(analysis.performance).toEqual([]);
    expect(analysis.entries[2]?.reason).toBe(`cancelled by revert ${revert.sha.slice(0, 7)}`);
  });

  it('drops what each of 4,000 reverted merges brought, on a history of 12,001 commits', () => {
    const history: RawCommit[] = [commit(0, 'fix: root', [])];
    let head = history[0]!.sha;
    for (let n = 1; n <= 4_000; n += 1) {
      const feature = commit(3 * n, `feat: feature ${n}`, [head]);
      const merge = commit(3 * n + 1, `Merge feature ${n}`, [head, feature.sha]);
      const revert = commit(3 * n + 2, `Revert "Merge feature ${n}"\n\nThis reverts commit ${merge.sha}.`, [merge.sha]);
      history.push(feature, merge, revert);
      head = revert.sha;
    }
    const analysis = analyseCommits(history.reverse());

    expect(analysis.features).toEqual([]);
    expect(analysis.bump).toBe('patch');
    expect(analysis.fixes).toHaveLength(1);
  });
});

describe('analyseCommits: commits that never count', () => {
  it('with merges: ignore, ignores a merge commit itself and counts the commits it brought', () => {
    const feat = commit(1, 'feat: from branch');
    const merge = commit(2, 'feat: merge branch', [OUTSIDE, feat.sha]);
    const analysis = analyseCommits([merge, feat], { merges: 'ignore' });
    expect(analysis.entries[0]).toMatchObject({ bump: null, reason: 'ignored: merge commit' });
    expect(analysis.features.map((e) => e.sha)).toEqual([feat.sha]);
  });

  it('ignores our own release commits by their Shipgate-Release trailer', () => {
    expect(only('chore(release): v1.2.0\n\nShipgate-Release: v1.2.0')).toMatchObject({
      bump: null,
      reason: 'ignored: release commit',
    });
    // As git reads trailers: the last paragraph, whatever else the message says, in any case.
    expect(only('chore(release): v1.2.0\n\nNotes.\n\nSigned-off-by: A <a@x>\nshipgate-release: v1.2.0')).toMatchObject({
      reason: 'ignored: release commit',
    });
  });

  it('reads a trailer only in the last paragraph, and only in a paragraph of trailers', () => {
    expect(only('feat: x\n\nShipgate-Release: v1\n\nMore prose.')).toMatchObject({ bump: 'minor' });
    expect(only('feat: x\n\nWe set Shipgate-Release: v1 here\nShipgate-Release: v1')).toMatchObject({ bump: 'minor' });
    expect(only('feat: Shipgate-Release: v1')).toMatchObject({ bump: 'minor' });
  });

  it('reads `chore(release)!:` written by a person as the breaking change it is', () => {
    expect(only('chore(release)!: drop the v1 API')).toMatchObject({
      type: 'chore',
      scope: 'release',
      breaking: true,
      bump: 'major',
      reason: 'chore! → major',
    });
  });

  it('reads an older release commit, which has no trailer, as the chore it is', () => {
    expect(only('chore(release): v1.2.0')).toMatchObject({ bump: null, reason: 'chore → no release' });
  });

  it('ignores any commit marked [skip release], even a breaking one', () => {
    expect(only('feat!: big\n\nNot yet. [skip release]')).toMatchObject({
      bump: null,
      reason: 'ignored: [skip release]',
    });
  });

  it.each([
    'feat: quietly [release skip]',
    'feat: quietly [SKIP  release]',
    'feat: quietly [Skip\trelease]',
    'feat: quietly\n\nLater. [skip\n release]',
  ])('matches %j as semantic-release does: case, word order and whitespace are free', (message) => {
    expect(only(message)).toMatchObject({ bump: null, reason: 'ignored: [skip release]' });
  });

  it('does not take a near miss for [skip release]', () => {
    expect(only('feat: [skiprelease] [skip-release] [skip release')).toMatchObject({ bump: 'minor' });
  });
});

describe('analyseCommits: merge commits (merges: count, the default)', () => {
  it('counts a merge whose own message is a Conventional Commit: a pull request title over chores is a minor', () => {
    const chore = commit(1, 'chore: tidy');
    const wip = commit(2, 'wip', [chore.sha]);
    const merge = commit(3, 'feat: add topic (#12)', [OUTSIDE, wip.sha]);
    const analysis = analyseCommits([merge, wip, chore]);
    expect(analysis.bump).toBe('minor');
    expect(analysis.entries[0]).toMatchObject({ type: 'feat', subject: 'add topic (#12)', reason: 'feat → minor' });
    expect(analysis.features.map((e) => e.sha)).toEqual([merge.sha]);
  });

  it('makes a BREAKING CHANGE footer in a merge message a major', () => {
    const fix = commit(1, 'fix: parse dates');
    const merge = commit(2, 'Merge pull request #40 from o/dates\n\nBREAKING CHANGE: dates need a zone', [
      OUTSIDE,
      fix.sha,
    ]);
    const analysis = analyseCommits([merge, fix]);
    expect(analysis.bump).toBe('major');
    expect(analysis.entries[0]).toMatchObject({
      breaking: true,
      breakingNotes: ['dates need a zone'],
      reason: 'BREAKING CHANGE footer → major',
    });
  });

  it('leaves out a merge that repeats the header of a commit it brings', () => {
    const feat = commit(1, 'feat: add topic');
    const merge = commit(2, 'feat: add topic', [OUTSIDE, feat.sha]);
    const analysis = analyseCommits([merge, feat]);
    expect(analysis.entries[0]).toMatchObject({ bump: null, reason: `ignored: merge repeats ${feat.sha.slice(0, 7)}` });
    expect(analysis.features.map((e) => e.sha)).toEqual([feat.sha]);
  });

  it('leaves out a note-only merge whose breaking notes are those of a commit it brings', () => {
    const feat = commit(1, 'feat: new config\n\nBREAKING CHANGE: `port` moved to `server.port`');
    const merge = commit(2, 'Merge branch "config"\n\nBREAKING CHANGE: `port` moved to `server.port`', [
      OUTSIDE,
      feat.sha,
    ]);
    const analysis = analyseCommits([merge, feat]);
    expect(analysis.entries[0]).toMatchObject({ bump: null, reason: `ignored: merge repeats ${feat.sha.slice(0, 7)}` });
    expect(analysis.breaking.map((e) => e.sha)).toEqual([feat.sha]);
  });

  it('counts a merge that repeats a commit its mainline has, not one it brings', () => {
    const onMain = commit(1, 'feat: add topic');
    const side = commit(2, 'chore: tidy');
    const merge = commit(3, 'feat: add topic', [onMain.sha, side.sha]);
    expect(analyseCommits([merge, side, onMain]).entries[0]).toMatchObject({ bump: 'minor' });
  });

  it('keeps saying "ignored: merge commit" for a merge that is no Conventional Commit', () => {
    const feat = commit(1, 'feat: x');
    const merge = commit(2, 'Merge pull request #7 from o/x', [OUTSIDE, feat.sha]);
    expect(analyseCommits([merge, feat]).entries[0]).toMatchObject({ bump: null, reason: 'ignored: merge commit' });
  });

  it('drops a counted merge and what it brought when the merge is reverted', () => {
    const feat = commit(1, 'feat: x');
    const merge = commit(2, 'feat: add x (#3)', [OUTSIDE, feat.sha]);
    const revert = commit(3, `Revert "feat: add x (#3)"\n\nThis reverts commit ${merge.sha}.`, [merge.sha]);
    const analysis = analyseCommits([revert, merge, feat]);
    expect(analysis.bump).toBeNull();
    expect(analysis.entries[1]?.reason).toBe(`cancelled by revert ${revert.sha.slice(0, 7)}`);
  });

  it('walks no merge that would not count: 5,000 "Merge pull request" merges over 5,000 features', () => {
    const history: RawCommit[] = [commit(0, 'fix: root', [])];
    let head = history[0]!.sha;
    for (let n = 1; n <= 5_000; n += 1) {
      const feature = commit(2 * n, `feat: feature ${n}`, [head]);
      const merge = commit(2 * n + 1, `Merge pull request #${n} from o/f${n}`, [head, feature.sha]);
      history.push(feature, merge);
      head = merge.sha;
    }
    const analysis = analyseCommits(history.reverse());
    expect(analysis.features).toHaveLength(5_000);
    expect(analysis.entries.filter((e) => e.reason === 'ignored: merge commit')).toHaveLength(5_000);
  });
});

describe('analyseCommits: presets', () => {
  it('conventionalcommits (the default) reads `feat!:` as breaking', () => {
    expect(only('feat!: drop Node 18')).toMatchObject({ bump: 'major' });
  });

  it('angular reads `feat!:` as no Conventional header at all, as its header pattern has no `!`', () => {
    const [entry] = analyseCommits([commit(1, 'feat!: drop Node 18')], { preset: 'angular' }).entries;
    expect(entry).toMatchObject({
      type: null,
      breaking: false,
      bump: null,
      reason: 'not a conventional commit → no release',
    });
  });

  it('angular reads only the `BREAKING CHANGE:` note, not `BREAKING-CHANGE:`', () => {
    const angular = (message: string) => analyseCommits([commit(1, message)], { preset: 'angular' }).entries[0];
    expect(angular('fix: x\n\nBREAKING CHANGE: y')).toMatchObject({ bump: 'major' });
    expect(angular('fix: x\n\nBREAKING-CHANGE: y')).toMatchObject({ bump: 'patch', breaking: false });
    expect(angular('feat(api): x')).toMatchObject({ type: 'feat', scope: 'api', bump: 'minor' });
  });
});

describe('analyseCommits: releaseRules', () => {
  const withRules = (message: string, releaseRules: ReleaseRule[]) =>
    analyseCommits([commit(1, message)], { releaseRules }).entries[0];

  it('releases a refactor as a patch by a rule, naming the rule', () => {
    expect(withRules('refactor: split the planner', [{ type: 'refactor', release: 'patch' }])).toMatchObject({
      bump: 'patch',
      reason: 'releaseRules[0] (refactor) → patch',
    });
  });

  it('never releases what a `release: false` rule matches, a feat included', () => {
    const rules: ReleaseRule[] = [
      { scope: 'deps', release: 'minor' },
      { type: 'feat', scope: 'deps', release: false },
    ];
    expect(withRules('feat(deps): bump x', rules)).toMatchObject({
      bump: null,
      reason: 'releaseRules[1] (feat(deps)) → no release',
    });
    expect(withRules('feat(api): y', rules)).toMatchObject({ bump: 'minor', reason: 'feat → minor' });
  });

  it('takes the highest release among the matching rules, and the preset rules for a commit none matches', () => {
    const rules: ReleaseRule[] = [
      { type: 'docs', release: 'patch' },
      { type: '*', scope: 'readme', release: 'minor' },
    ];
    expect(withRules('docs(readme): x', rules)).toMatchObject({
      bump: 'minor',
      reason: 'releaseRules[1] (*(readme)) → minor',
    });
    expect(withRules('docs: x', rules)).toMatchObject({ bump: 'patch' });
    expect(withRules('fix: x', rules)).toMatchObject({ bump: 'patch', reason: 'fix → patch' });
    expect(withRules('chore: x', rules)).toMatchObject({ bump: null, reason: 'chore → no release' });
  });

  it('matches `breaking: true` to a commit with a breaking note and `revert: true` to a revert', () => {
    const rules: ReleaseRule[] = [
      { breaking: true, release: 'minor' },
      { revert: true, release: false },
    ];
    expect(withRules('feat!: x', rules)).toMatchObject({
      bump: 'minor',
      breaking: true,
      reason: 'releaseRules[0] (breaking) → minor',
    });
    expect(withRules('fix: x\n\nBREAKING CHANGE: y', rules)).toMatchObject({ bump: 'minor' });
    expect(withRules('Revert "feat: x"\n\nThis reverts commit 1a2b3c4d5e.', rules)).toMatchObject({
      type: 'revert',
      bump: null,
      reason: 'releaseRules[1] (revert) → no release',
    });
  });

  it('never matches a scope rule to a commit without a scope, nor a type rule to a non-Conventional one', () => {
    const rules: ReleaseRule[] = [
      { scope: '*', release: 'major' },
      { type: '*', release: 'major' },
    ];
    expect(withRules('Update README', rules)).toMatchObject({ bump: null });
    expect(withRules('chore: x', rules)).toMatchObject({ bump: 'major', reason: 'releaseRules[1] (*) → major' });
  });

  it('lets the rules alone decide a commit they match, a breaking one too, as the analyser does', () => {
    expect(withRules('docs!: new layout', [{ type: 'docs', release: 'patch' }])).toMatchObject({
      breaking: true,
      bump: 'patch',
      reason: 'releaseRules[0] (docs) → patch',
    });
    const keepMajor: ReleaseRule[] = [
      { type: 'docs', release: 'patch' },
      { breaking: true, release: 'major' },
    ];
    expect(withRules('docs!: new layout', keepMajor)).toMatchObject({ bump: 'major' });
  });

  it('finds no prototype member for a type named after one', () => {
    expect(withRules('constructor: x', [{ type: 'refactor', release: 'patch' }])).toMatchObject({ bump: null });
  });
});

describe('analyseCommits: parsing as semantic-release does', () => {
  it('trims a message before reading it: leading whitespace, a blank first line', () => {
    expect(only('  feat(api): leading space')).toMatchObject({
      type: 'feat',
      scope: 'api',
      subject: 'leading space',
      bump: 'minor',
    });
    expect({ ...only('\tfix: tab') }).toMatchObject({ type: 'fix', bump: 'patch' });
    const blankFirst = { ...commit(1, 'x'), subject: '   ', body: 'fix: on the second line\n\nBody.' };
    expect(analyseCommits([blankFirst]).entries[0]).toMatchObject({ type: 'fix', subject: 'on the second line' });
  });

  it('reads nested scopes as the presets do: `fix(a(b)):` has the scope `a(b)`', () => {
    expect(only('fix(a(b)): x')).toMatchObject({ type: 'fix', scope: 'a(b)', subject: 'x', bump: 'patch' });
    expect(only('feat(ui(dark))!: y')).toMatchObject({ scope: 'ui(dark)', bump: 'major' });
    expect(only('feat(a)!: b (c): d')).toMatchObject({ scope: 'a', subject: 'b (c): d', bump: 'major' });
  });
});

describe('analyseCommits: totals', () => {
  it('takes the highest bump and groups commits for the changelog', () => {
    const analysis = analyseCommits([
      commit(1, 'fix: a'),
      commit(2, 'feat: b'),
      commit(3, 'perf: c'),
      commit(4, 'chore!: d'),
      commit(5, 'feat(x)!: e'),
      commit(6, 'docs: f'),
    ]);
    expect(analysis.bump).toBe('major');
    expect(analysis.breaking.map((e) => e.subject)).toEqual(['d', 'e']);
    expect(analysis.features.map((e) => e.subject)).toEqual(['b', 'e']);
    expect(analysis.fixes.map((e) => e.subject)).toEqual(['a']);
    expect(analysis.performance.map((e) => e.subject)).toEqual(['c']);
  });

  it('finds nothing to release in an empty range', () => {
    expect(analyseCommits([])).toMatchObject({ bump: null, entries: [], features: [] });
  });

  it('analyses 10,000 commits with revert pairs correctly', () => {
    const commits: RawCommit[] = [];
    for (let n = 0; n < 10_000; n += 4) {
      const feat = commit(n, `feat(area${n % 13}): feature ${n}\n\nSome body text @someone.`);
      commits.push(feat, commit(n + 1, `fix: fix ${n}`), commit(n + 2, `docs: doc ${n}`));
      // Every other feature is reverted within the range, by an abbreviated SHA.
      commits.push(n % 8 === 0 ? revertOf(n + 3, feat, feat.sha.slice(0, 10)) : commit(n + 3, `chore: tidy ${n}`));
    }
    const analysis = analyseCommits(commits);

    expect(analysis.entries).toHaveLength(10_000);
    expect(analysis.features).toHaveLength(1_250);
    expect(analysis.fixes).toHaveLength(2_500);
    expect(analysis.reverts).toHaveLength(0);
    expect(analysis.bump).toBe('minor');
  });
});

describe('analyseCommits: hostile lengths', () => {
  const MiB = 1 << 20;

  it('classifies a commit whose subject is a mebibyte from its first characters, and shows it cut', () => {
    const entry = only(`fix: ${'A'.repeat(MiB)}`);
    expect(entry).toMatchObject({ type: 'fix', bump: 'patch', reason: 'fix → patch' });
    expect(entry.subject).toBe(`${'A'.repeat(MAX_HEADER_CHARS - 'fix: '.length)}…`);
  });

  it('reads a breaking footer and trailers behind a mebibyte-long line, and cuts a long note', () => {
    const entry = only(`feat: x\n\n${'B'.repeat(MiB)}\n\nBREAKING CHANGE: y`);
    expect(entry).toMatchObject({ bump: 'minor', breaking: false });
    const noted = only(`feat: x\n\nBREAKING CHANGE: ${'n '.repeat(MiB)}`);
    expect(noted).toMatchObject({ bump: 'major', breaking: true });
    expect(noted.breakingNotes[0]!.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
  });

  it('finds reverts, and no false ones, in messages full of quotes, whitespace and lines', () => {
    const sha = shaFor(7);
    expect(only(`revert: ${' '.repeat(MiB)}x`)).toMatchObject({
      type: 'revert',
      bump: null,
      reason: 'revert → no release',
    });
    expect(only(`revert:${' \n'.repeat(1000)}feat: a\n${' \n'.repeat(1000)}This reverts commit ${sha}.`)).toMatchObject(
      { type: 'revert', subject: 'feat: a', revertOf: sha },
    );
    expect(only(`revert: feat: b This reverts commit ${sha}`)).toMatchObject({
      type: 'revert',
      subject: 'feat: b ',
      revertOf: sha,
    });
    expect(only(`Revert "${'" '.repeat(MiB / 2)}`)).toMatchObject({ type: null, bump: null });
    expect(only(`Revert "a "quoted" b"\n\n${'"   \n'.repeat(1000)}"\nThis reverts commit ${sha}.`)).toMatchObject({
      type: 'revert',
      subject: `a "quoted" b"\n\n${'"   \n'.repeat(1000)}`,
      revertOf: sha,
    });
  });

  it('gives the same analysis in slices, pausing between them on a long history', async () => {
    const commits = Array.from({ length: 400 }, (_, n) =>
      commit(n, n % 3 === 0 ? `feat: f${n}\n\n${'body '.repeat(2000)}` : `fix: x${n}`),
    );
    let pauses = 0;
    const sliced = await analyseCommitsInSlices(commits, async () => {
      pauses += 1;
    });
    expect(sliced).toEqual(analyseCommits(commits));
    expect(pauses).toBeGreaterThanOrEqual(4);
  });
});
