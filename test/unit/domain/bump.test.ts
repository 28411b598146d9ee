import { describe, expect, it } from 'vitest';
import { VersionOverrideError, nextVersion, parseBumpOverride, tagName, versionFromTag } from '../../../domain/bump.js';
import { ShipgateError } from '../../../domain/errors.js';

describe('nextVersion: from the commits', () => {
  it.each([
    ['major', '1.4.2', '2.0.0'],
    ['minor', '1.4.2', '1.5.0'],
    ['patch', '1.4.2', '1.4.3'],
  ] as const)('applies a %s bump to %s', (bump, current, expected) => {
    expect(nextVersion({ current, bump, commitCount: 3 })).toEqual({
      version: expected,
      reason: `${bump}: ${current} → ${expected}`,
    });
  });

  it('releases nothing when no commit is releasable, and says how many were looked at', () => {
    expect(nextVersion({ current: '1.4.2', bump: null, commitCount: 7 })).toEqual({
      version: null,
      reason: 'nothing to release: 7 commits, none releasable',
    });
    expect(nextVersion({ current: '1.4.2', bump: null, commitCount: 1 }).reason).toBe(
      'nothing to release: 1 commit, none releasable',
    );
  });

  it('names the last release when there is nothing to release since it', () => {
    expect(nextVersion({ current: '1.2.0', currentTag: 'v1.2.0', bump: null, commitCount: 3 }).reason).toBe(
      'nothing to release since v1.2.0: 3 commits, none releasable',
    );
  });

  it('accepts a current version written with a leading v', () => {
    expect(nextVersion({ current: 'v1.4.2', bump: 'patch', commitCount: 1 }).version).toBe('1.4.3');
  });

  it('refuses a current version that is not semver', () => {
    expect(() => nextVersion({ current: 'latest', bump: 'patch', commitCount: 1 })).toThrow(RangeError);
  });
});

describe('nextVersion: first release', () => {
  it('starts at 1.0.0 whatever the bump', () => {
    expect(nextVersion({ current: null, bump: 'patch', commitCount: 2 })).toEqual({
      version: '1.0.0',
      reason: 'first release (patch changes) → 1.0.0',
    });
  });

  it('starts at the configured initial version', () => {
    expect(nextVersion({ current: null, bump: 'major', commitCount: 2, initialVersion: '0.1.0' }).version).toBe(
      '0.1.0',
    );
  });

  it('does not release a first version with nothing releasable', () => {
    expect(nextVersion({ current: null, bump: null, commitCount: 4 }).version).toBeNull();
  });

  it('releases a first version on any override', () => {
    expect(nextVersion({ current: null, bump: null, commitCount: 0, override: 'patch' }).version).toBe('1.0.0');
    expect(nextVersion({ current: null, bump: null, commitCount: 0, override: 'v0.3.0' }).version).toBe('0.3.0');
  });

  it('refuses an initial version that is not semver', () => {
    expect(() => nextVersion({ current: null, bump: 'minor', commitCount: 1, initialVersion: 'one' })).toThrow(
      RangeError,
    );
  });
});

describe('nextVersion: preMajor', () => {
  it('bumps minor, not major, for a breaking change below 1.0.0', () => {
    expect(nextVersion({ current: '0.4.1', bump: 'major', commitCount: 1, preMajor: true })).toEqual({
      version: '0.5.0',
      reason: 'major below 1.0.0 (preMajor) → minor: 0.4.1 → 0.5.0',
    });
  });

  it('bumps minor for a feature and patch for a fix below 1.0.0', () => {
    expect(nextVersion({ current: '0.4.1', bump: 'minor', commitCount: 1, preMajor: true }).version).toBe('0.5.0');
    expect(nextVersion({ current: '0.4.1', bump: 'patch', commitCount: 1, preMajor: true }).version).toBe('0.4.2');
  });

  it('has no effect from 1.0.0 on', () => {
    expect(nextVersion({ current: '1.0.0', bump: 'major', commitCount: 1, preMajor: true }).version).toBe('2.0.0');
  });

  it('is off by default, so a breaking change below 1.0.0 reaches 1.0.0', () => {
    expect(nextVersion({ current: '0.4.1', bump: 'major', commitCount: 1 }).version).toBe('1.0.0');
  });
});

describe('nextVersion: overrides', () => {
  it('applies a bump override even when the commits found nothing', () => {
    expect(nextVersion({ current: '1.4.2', bump: null, commitCount: 5, override: 'minor' })).toEqual({
      version: '1.5.0',
      reason: 'override minor: 1.4.2 → 1.5.0',
    });
  });

  it('lets a bump override win over the commits, in either direction', () => {
    expect(nextVersion({ current: '1.4.2', bump: 'major', commitCount: 1, override: 'patch' }).version).toBe('1.4.3');
    expect(
      nextVersion({ current: '0.4.2', bump: 'patch', commitCount: 1, override: 'major', preMajor: true }).version,
    ).toBe('1.0.0');
  });

  it('uses an explicit version that is greater than the current one', () => {
    expect(nextVersion({ current: '1.4.2', bump: 'patch', commitCount: 1, override: 'v3.0.0' })).toEqual({
      version: '3.0.0',
      reason: 'override: explicit version 3.0.0',
    });
  });

  it('refuses an explicit version lower than the current one', () => {
    expect(() => nextVersion({ current: '1.4.2', bump: 'patch', commitCount: 1, override: '1.3.9' })).toThrow(
      'version override 1.3.9 must be greater than the current version 1.4.2',
    );
  });

  it('refuses an explicit version equal to the current one', () => {
    expect(() => nextVersion({ current: '1.4.2', bump: null, commitCount: 0, override: '1.4.2' })).toThrow(
      VersionOverrideError,
    );
  });

  it('refuses garbage', () => {
    expect(() => nextVersion({ current: '1.4.2', bump: 'patch', commitCount: 1, override: 'biggest' })).toThrow(
      VersionOverrideError,
    );
  });
});

describe('parseBumpOverride', () => {
  it('reads bump levels, ignoring case and surrounding space', () => {
    expect(parseBumpOverride('major')).toEqual({ kind: 'bump', bump: 'major' });
    expect(parseBumpOverride(' Minor ')).toEqual({ kind: 'bump', bump: 'minor' });
  });

  it('reads explicit versions with or without a leading v, prereleases included', () => {
    expect(parseBumpOverride('2.0.0')).toEqual({ kind: 'version', version: '2.0.0' });
    expect(parseBumpOverride('v2.1.0-rc.1')).toEqual({ kind: 'version', version: '2.1.0-rc.1' });
  });

  it.each(['', 'huge', '1.2', '01.2.3', '1.2.3.4', '=1.2.3', '1.2.3 ; rm -rf /'])('rejects %j', (input) => {
    expect(() => parseBumpOverride(input)).toThrow(VersionOverrideError);
  });

  it('throws a catalogued error the API can answer with 400', () => {
    const error = (() => {
      try {
        parseBumpOverride('huge');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ShipgateError);
    expect(error).toMatchObject({
      name: 'VersionOverrideError',
      code: 'SHIPGATE_INVALID_VERSION',
      status: 400,
      message: 'version override "huge" is neither major, minor, patch nor a version like 1.2.3',
    });
  });
});

describe('tag names', () => {
  it('names a tag v<version> by default', () => {
    expect(tagName('1.2.0')).toBe('v1.2.0');
    expect(versionFromTag('v1.2.0')).toBe('1.2.0');
  });

  it('follows a custom format both ways', () => {
    expect(tagName('1.2.0', 'release/${version}-final')).toBe('release/1.2.0-final');
    expect(versionFromTag('release/1.2.0-final', 'release/${version}-final')).toBe('1.2.0');
  });

  it('does not read tags that do not follow the format', () => {
    expect(versionFromTag('1.2.0')).toBeNull();
    expect(versionFromTag('vnext')).toBeNull();
    expect(versionFromTag('v')).toBeNull();
    expect(versionFromTag('v1.2')).toBeNull();
    expect(versionFromTag('api-v1.2.0', 'web-v${version}')).toBeNull();
  });

  it('refuses a format without the ${version} placeholder', () => {
    expect(() => tagName('1.2.0', 'v{version}')).toThrow(RangeError);
    expect(() => versionFromTag('v1.2.0', '${version}-${version}')).toThrow(RangeError);
  });
});
