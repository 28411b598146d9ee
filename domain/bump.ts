import semver from 'semver';
import type { Bump } from './commits.js';
import { ShipgateError } from './errors.js';

export const DEFAULT_INITIAL_VERSION = '1.0.0';
export const DEFAULT_TAG_FORMAT = 'v${version}';
const VERSION_PLACEHOLDER = '${version}';

/** A release override a person asked for: a bump level, or an exact version. */
export type BumpOverride = { kind: 'bump'; bump: Bump } | { kind: 'version'; version: string };

/** The requested override cannot be honoured; retrying will not change that. */
export class VersionOverrideError extends ShipgateError {
  override name = 'VersionOverrideError';
  constructor(message: string) {
    super('SHIPGATE_INVALID_VERSION', message);
  }
}

export interface NextVersionInput {
  /** Latest released version, or null before the first release. */
  current: string | null;
  /** `CommitAnalysis.bump`. */
  bump: Bump | null;
  /** How many commits were analysed; only used to explain "nothing to release". */
  commitCount: number;
  /** The tag of the latest release; only used to say since when there is nothing to release. */
  currentTag?: string | null;
  /** Version of the first release. Default `1.0.0`. */
  initialVersion?: string;
  /** Below 1.0.0, breaking changes bump minor and features bump minor (semver §4). Default false. */
  preMajor?: boolean;
  /** `major`, `minor`, `patch` or an explicit `x.y.z` (leading `v` allowed). */
  override?: string;
}

export interface NextVersion {
  /** Null when there is nothing to release. */
  version: string | null;
  reason: string;
}

/** Decides the next version from the commit analysis, a person's override and the release policy. */
export function nextVersion(input: NextVersionInput): NextVersion {
  const initial = requireVersion(input.initialVersion ?? DEFAULT_INITIAL_VERSION, 'initial version');
  const current = input.current === null ? null : requireVersion(input.current, 'current version');

  if (input.override !== undefined) return applyOverride(current, initial, parseBumpOverride(input.override));

  if (input.bump === null) {
    const commits = input.commitCount === 1 ? '1 commit' : `${input.commitCount} commits`;
    return {
      version: null,
      reason: `nothing to release${input.currentTag ? ` since ${input.currentTag}` : ''}: ${commits}, none releasable`,
    };
  }
  if (current === null) return { version: initial, reason: `first release (${input.bump} changes) → ${initial}` };

  if (input.preMajor && semver.major(current) === 0) {
    const bump = input.bump === 'patch' ? 'patch' : 'minor';
    const version = increment(current, bump);
    return { version, reason: `${input.bump} below 1.0.0 (preMajor) → ${bump}: ${current} → ${version}` };
  }
  const version = increment(current, input.bump);
  return { version, reason: `${input.bump}: ${current} → ${version}` };
}

/** Validates an override as typed by a person; throws `VersionOverrideError` when it is neither a bump level nor a version. */
export function parseBumpOverride(input: string): BumpOverride {
  const trimmed = input.trim();
  const level = trimmed.toLowerCase();
  if (level === 'major' || level === 'minor' || level === 'patch') return { kind: 'bump', bump: level };

  const version = trimmed.replace(/^v/i, '');
  if (semver.valid(version) !== version) {
    throw new VersionOverrideError(
      `version override ${JSON.stringify(input.slice(0, 64))} is neither major, minor, patch nor a version like 1.2.3`,
    );
  }
  return { kind: 'version', version };
}

/** The tag for a version, e.g. `v1.2.0` for the default format `v${version}`. */
export function tagName(version: string, format: string = DEFAULT_TAG_FORMAT): string {
  const [prefix, suffix] = splitFormat(format);
  return `${prefix}${version}${suffix}`;
}

/** The version a tag names under the format, or null when the tag is not one of ours. */
export function versionFromTag(tag: string, format: string = DEFAULT_TAG_FORMAT): string | null {
  const [prefix, suffix] = splitFormat(format);
  if (tag.length <= prefix.length + suffix.length || !tag.startsWith(prefix) || !tag.endsWith(suffix)) return null;
  const version = tag.slice(prefix.length, tag.length - suffix.length);
  return semver.valid(version) === version ? version : null;
}

function applyOverride(current: string | null, initial: string, override: BumpOverride): NextVersion {
  if (override.kind === 'version') {
    if (current !== null && !semver.gt(override.version, current)) {
      throw new VersionOverrideError(
        `version override ${override.version} must be greater than the current version ${current}`,
      );
    }
    return { version: override.version, reason: `override: explicit version ${override.version}` };
  }
  if (current === null) return { version: initial, reason: `override ${override.bump} on first release → ${initial}` };
  const version = increment(current, override.bump);
  return { version, reason: `override ${override.bump}: ${current} → ${version}` };
}

function increment(version: string, bump: Bump): string {
  const next = semver.inc(version, bump);
  // Unreachable for a version that passed requireVersion; kept so the type is honest.
  if (next === null) throw new RangeError(`cannot apply a ${bump} bump to ${version}`);
  return next;
}

function requireVersion(version: string, what: string): string {
  const cleaned = version.replace(/^v/i, '');
  if (semver.valid(cleaned) !== cleaned)
    throw new RangeError(`${what} ${JSON.stringify(version)} is not a semantic version`);
  return cleaned;
}

function splitFormat(format: string): [string, string] {
  const parts = format.split(VERSION_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new RangeError(`tag format ${JSON.stringify(format)} must contain ${VERSION_PLACEHOLDER} exactly once`);
  }
  return [parts[0] ?? '', parts[1] ?? ''];
}
