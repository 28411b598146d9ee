import { describe, expect, it } from 'vitest';
import { VersionOverrideError } from '../../../domain/bump.js';
import {
  maintenanceBounds,
  nextOnBranch,
  resolveBranches,
  VersionOutOfRangeError,
  type BranchVersionInput,
  type ReleaseBranch,
} from '../../../domain/branches.js';

const [main, beta, rc, oneX, oneZeroX] = resolveBranches(undefined, [
  'main',
  { name: 'beta', prerelease: true },
  { name: 'next', prerelease: 'rc' },
  '1.x',
  '1.0.x',
]) as [ReleaseBranch, ReleaseBranch, ReleaseBranch, ReleaseBranch, ReleaseBranch];

const at = (version: string) => ({ version, tag: `v${version}` });
const input = (over: Partial<BranchVersionInput>): BranchVersionInput => ({
  last: null,
  latestStable: null,
  ceiling: null,
  bump: null,
  commitCount: 1,
  ...over,
});

describe('nextOnBranch: the release branch', () => {
  it('bumps the last stable release as it always did', () => {
    expect(nextOnBranch(main, input({ last: at('1.0.0'), latestStable: '1.0.0', bump: 'major' })).version).toBe(
      '2.0.0',
    );
    expect(nextOnBranch(main, input({ last: null, bump: 'patch' })).version).toBe('1.0.0');
    expect(nextOnBranch(main, input({ last: at('1.0.0'), bump: null })).version).toBeNull();
  });

  it('promotes a release candidate with no new commits: its feat is still since 1.0.0', () => {
    // main fast-forwarded to the 1.1.0-rc.1 release commit: the last stable release is 1.0.0.
    expect(nextOnBranch(main, input({ last: at('1.0.0'), bump: 'minor' })).version).toBe('1.1.0');
  });
});

describe('nextOnBranch: a prerelease branch', () => {
  it('1.0.0 + feat! → 2.0.0-beta.1, then a fix → 2.0.0-beta.2', () => {
    expect(nextOnBranch(beta, input({ last: at('1.0.0'), latestStable: '1.0.0', bump: 'major' })).version).toBe(
      '2.0.0-beta.1',
    );
    expect(nextOnBranch(beta, input({ last: at('2.0.0-beta.1'), latestStable: '1.0.0', bump: 'patch' })).version).toBe(
      '2.0.0-beta.2',
    );
  });

  it('1.0.0 + feat → 1.1.0-beta.1, then a breaking change → 2.0.0-beta.1', () => {
    expect(nextOnBranch(beta, input({ last: at('1.0.0'), latestStable: '1.0.0', bump: 'minor' })).version).toBe(
      '1.1.0-beta.1',
    );
    const next = nextOnBranch(beta, input({ last: at('1.1.0-beta.1'), latestStable: '1.0.0', bump: 'major' }));
    expect(next.version).toBe('2.0.0-beta.1');
    expect(next.reason).toContain('above 1.1.0-beta.1');
  });

  it('a feat after 1.1.0-beta.1 stays on 1.1.0: -beta.2', () => {
    expect(nextOnBranch(beta, input({ last: at('1.1.0-beta.1'), latestStable: '1.0.0', bump: 'minor' })).version).toBe(
      '1.1.0-beta.2',
    );
  });

  it('with no release at all: the initial version as its first prerelease', () => {
    expect(nextOnBranch(beta, input({ bump: 'patch' })).version).toBe('1.0.0-beta.1');
    expect(nextOnBranch(rc, input({ bump: 'major', initialVersion: '0.1.0' })).version).toBe('0.1.0-rc.1');
  });

  it('before any stable release, a breaking change stays within the first version: the next prerelease', () => {
    expect(nextOnBranch(beta, input({ last: at('1.0.0-beta.1'), bump: 'major' })).version).toBe('1.0.0-beta.2');
  });

  it('never counts another channel: after 1.1.0-rc.1 elsewhere, beta goes on from its own last release', () => {
    // The git read gives a prerelease branch only its own prereleases as `last` (see branchReleases).
    expect(nextOnBranch(beta, input({ last: at('1.0.0'), latestStable: '1.0.0', bump: 'minor' })).version).toBe(
      '1.1.0-beta.1',
    );
  });

  it('uses the prerelease identifier, not the branch name', () => {
    expect(nextOnBranch(rc, input({ last: at('1.0.0'), latestStable: '1.0.0', bump: 'minor' })).version).toBe(
      '1.1.0-rc.1',
    );
  });

  it('a release after a stable release newer than its last prerelease starts a new prerelease', () => {
    // beta released 1.1.0-beta.1; main merged it and released 1.1.0; beta merged main back.
    expect(nextOnBranch(beta, input({ last: at('1.1.0'), latestStable: '1.1.0', bump: 'patch' })).version).toBe(
      '1.1.1-beta.1',
    );
  });

  it('has nothing to release without a releasable commit', () => {
    const next = nextOnBranch(beta, input({ last: at('2.0.0-beta.1'), latestStable: '1.0.0', commitCount: 2 }));
    expect(next).toEqual({
      version: null,
      reason: 'nothing to release on beta since v2.0.0-beta.1: 2 commits, none releasable',
    });
  });

  it('applies a bump override as the same rule, and takes an explicit prerelease of its identifier', () => {
    expect(
      nextOnBranch(beta, input({ last: at('1.1.0-beta.1'), latestStable: '1.0.0', override: 'major' })).version,
    ).toBe('2.0.0-beta.1');
    expect(nextOnBranch(beta, input({ last: at('1.0.0'), latestStable: '1.0.0', override: 'minor' })).version).toBe(
      '1.1.0-beta.1',
    );
    expect(nextOnBranch(beta, input({ last: at('1.0.0'), override: 'v3.0.0-beta.7' })).version).toBe('3.0.0-beta.7');
  });

  it('refuses an explicit version that is not a prerelease of its identifier', () => {
    expect(() => nextOnBranch(beta, input({ last: at('1.0.0'), override: '2.0.0' }))).toThrow(VersionOverrideError);
    expect(() => nextOnBranch(beta, input({ last: at('1.0.0'), override: '2.0.0-rc.1' }))).toThrow(
      /not a -beta prerelease/,
    );
    expect(() => nextOnBranch(beta, input({ last: at('2.0.0-beta.3'), override: '2.0.0-beta.2' }))).toThrow(
      /greater than the last release 2.0.0-beta.3/,
    );
  });
});

describe('nextOnBranch: a maintenance branch', () => {
  it('1.x from v1.0.0 after main released 2.0.0: a fix → 1.0.1, a feat → 1.1.0', () => {
    expect(nextOnBranch(oneX, input({ last: at('1.0.0'), ceiling: '2.0.0', bump: 'patch' })).version).toBe('1.0.1');
    expect(nextOnBranch(oneX, input({ last: at('1.0.0'), ceiling: '2.0.0', bump: 'minor' })).version).toBe('1.1.0');
  });

  it('refuses a breaking change: 2.0.0 is outside 1.x', () => {
    expect(() => nextOnBranch(oneX, input({ last: at('1.0.0'), ceiling: '2.0.0', bump: 'major' }))).toThrow(
      VersionOutOfRangeError,
    );
  });

  it('refuses a feat on 1.0.x: 1.1.0 is outside its range', () => {
    expect(() => nextOnBranch(oneZeroX, input({ last: at('1.0.0'), bump: 'minor' }))).toThrow(
      /1\.1\.0 is outside what branch 1\.0\.x may release \(>=1\.0\.0 <1\.1\.0\)/,
    );
    expect(nextOnBranch(oneZeroX, input({ last: at('1.0.0'), bump: 'patch' })).version).toBe('1.0.1');
  });

  it('stays below another line’s release: 1.x cut at v1.5.0 while main has v1.6.0 may release 1.5.1, not 1.6.0', () => {
    expect(maintenanceBounds(oneX, '1.6.0')).toEqual({ min: '1.0.0', max: '1.6.0' });
    expect(nextOnBranch(oneX, input({ last: at('1.5.0'), ceiling: '1.6.0', bump: 'patch' })).version).toBe('1.5.1');
    expect(() => nextOnBranch(oneX, input({ last: at('1.5.0'), ceiling: '1.6.0', bump: 'minor' }))).toThrow(
      /<1\.6\.0: 1\.6\.0 is another line's/,
    );
  });

  it('refuses a branch that reaches no release in its range', () => {
    expect(() => nextOnBranch(oneX, input({ last: null, bump: 'patch' }))).toThrow(/reaches no release in its range/);
  });

  it('checks an override against the range too', () => {
    expect(nextOnBranch(oneX, input({ last: at('1.0.0'), override: 'minor' })).version).toBe('1.1.0');
    expect(nextOnBranch(oneX, input({ last: at('1.0.0'), override: '1.4.2' })).version).toBe('1.4.2');
    expect(() => nextOnBranch(oneX, input({ last: at('1.0.0'), override: 'major' }))).toThrow(VersionOutOfRangeError);
    expect(() => nextOnBranch(oneX, input({ last: at('1.0.0'), override: '1.0.1-beta.1' }))).toThrow(
      VersionOutOfRangeError,
    );
  });
});
