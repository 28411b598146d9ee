import semver from 'semver';
import {
  DEFAULT_INITIAL_VERSION,
  nextVersion,
  parseBumpOverride,
  VersionOverrideError,
  type BumpOverride,
  type NextVersion,
} from './bump.js';
import type { Bump } from './commits.js';
import { ShipgateError } from './errors.js';

/**
 * The branches a repository releases from, as people know them from semantic-release: one
 * release branch (stable versions, channel `latest`), prerelease branches (`beta` releases
 * `2.0.0-beta.1`, `-beta.2`, … on its own channel) and maintenance branches (`1.x`, `1.2.x`:
 * patches and features of an older line, never a version that belongs to another branch).
 */
export type BranchKind = 'release' | 'prerelease' | 'maintenance';

export interface ReleaseBranch {
  name: string;
  kind: BranchKind;
  /** Where its releases go: `latest` for the release branch, the branch's name otherwise (unless set). */
  channel: string;
  /** The prerelease identifier (`beta` in `2.0.0-beta.1`); null unless a prerelease branch. */
  prerelease: string | null;
  /** A maintenance branch's versions: at least `min`, below `max`; null for the other kinds. */
  range: { min: string; max: string } | null;
  /** Whether a release of this branch deploys (when the repository has a deploy): by default only the release branch's. */
  deploy: boolean;
}

/** A branch as the configuration writes it: a name, or a name with settings. */
export type BranchSetting =
  string | { name: string; prerelease?: boolean | string; channel?: string; range?: string; deploy?: boolean };

export const DEFAULT_CHANNEL = 'latest';

// `1.x`, `1.2.x`, `1.x.x`: semantic-release's maintenance names.
const MAINTENANCE_NAME = /^(\d+)(?:\.(\d+|x))?\.x$/;
const PRERELEASE_ID = /^[0-9A-Za-z-]+$/;

/** The configuration cannot be read as branches; the message names the branch and the rule. */
export class BranchSettingsError extends Error {
  override name = 'BranchSettingsError';
}

/** The versions a maintenance name (or `range` setting) allows, or null when it is not one. */
export function maintenanceRange(name: string): { min: string; max: string } | null {
  const match = MAINTENANCE_NAME.exec(name);
  if (!match) return null;
  const major = Number(match[1]);
  const minor = match[2] === undefined || match[2] === 'x' ? null : Number(match[2]);
  if (!Number.isSafeInteger(major) || (minor !== null && !Number.isSafeInteger(minor))) return null;
  return minor === null
    ? { min: `${major}.0.0`, max: `${major + 1}.0.0` }
    : { min: `${major}.${minor}.0`, max: `${major}.${minor + 1}.0` };
}

/**
 * Reads the `branches` setting: exactly one release branch (the first entry that is neither a
 * prerelease nor a maintenance branch), listed first in the answer; prerelease identifiers and
 * channels unique. Without `branches`, the one release branch is `primary`.
 */
export function resolveBranches(
  primary: string | undefined,
  settings: readonly BranchSetting[] | undefined,
): ReleaseBranch[] {
  const entries = settings && settings.length > 0 ? settings : [primary ?? 'main'];
  const branches = entries.map(resolveBranch);
  const names = new Set<string>();
  for (const branch of branches) {
    if (names.has(branch.name)) throw new BranchSettingsError(`branch ${branch.name} is listed twice`);
    names.add(branch.name);
  }
  const release = branches.filter((b) => b.kind === 'release');
  if (release.length !== 1)
    throw new BranchSettingsError(
      release.length === 0
        ? 'branches has no release branch: one entry must be neither a prerelease (prerelease: true) nor a maintenance branch (1.x)'
        : `branches has ${release.length} release branches (${release.map((b) => b.name).join(', ')}): stable versions come from one; make the others prerelease branches (prerelease: true) or maintenance branches (1.x)`,
    );
  const channels = new Map<string, string>();
  const prereleases = new Map<string, string>();
  for (const branch of branches) {
    const sameChannel = channels.get(branch.channel);
    if (sameChannel !== undefined)
      throw new BranchSettingsError(
        `branches ${sameChannel} and ${branch.name} both release on channel ${branch.channel}`,
      );
    channels.set(branch.channel, branch.name);
    if (branch.prerelease !== null) {
      const same = prereleases.get(branch.prerelease);
      if (same !== undefined)
        throw new BranchSettingsError(
          `branches ${same} and ${branch.name} both release -${branch.prerelease} prereleases`,
        );
      prereleases.set(branch.prerelease, branch.name);
    }
  }
  const [main] = release;
  if (primary !== undefined && main && primary !== main.name)
    throw new BranchSettingsError(`branch ${primary} is not the release branch of branches (${main.name})`);
  return [...release, ...branches.filter((b) => b.kind !== 'release')];
}

function resolveBranch(setting: BranchSetting): ReleaseBranch {
  const entry = typeof setting === 'string' ? { name: setting } : setting;
  const { name } = entry;
  // Only the release branch deploys and releases on `latest` unless the branch says otherwise.
  const made = (kind: BranchKind, line: Pick<ReleaseBranch, 'prerelease' | 'range'>): ReleaseBranch => ({
    name,
    kind,
    channel: entry.channel ?? (kind === 'release' ? DEFAULT_CHANNEL : name),
    ...line,
    deploy: entry.deploy ?? kind === 'release',
  });
  if (entry.prerelease !== undefined && entry.prerelease !== false) {
    if (entry.range !== undefined)
      throw new BranchSettingsError(`branch ${name} cannot be both a prerelease and a maintenance branch`);
    const id = entry.prerelease === true ? name : entry.prerelease;
    if (!PRERELEASE_ID.test(id) || /^\d+$/.test(id) || semver.valid(`1.0.0-${id}.1`) === null)
      throw new BranchSettingsError(
        `branch ${name}: prerelease identifier ${JSON.stringify(id)} must be letters, digits and dashes, not only digits${entry.prerelease === true ? ' (set prerelease: <identifier> for a branch whose name is not one)' : ''}`,
      );
    return made('prerelease', { prerelease: id, range: null });
  }
  const rangeName = entry.range ?? name;
  const range = maintenanceRange(rangeName);
  if (entry.range !== undefined && range === null)
    throw new BranchSettingsError(`branch ${name}: range ${JSON.stringify(entry.range)} is not like 1.x or 1.2.x`);
  return made(range ? 'maintenance' : 'release', { prerelease: null, range });
}

/** The branch of that name, or the release branch when no name is given; null for a branch not configured. */
export function findBranch(branches: readonly ReleaseBranch[], name?: string | null): ReleaseBranch | null {
  if (name === undefined || name === null || name === '') return branches.find((b) => b.kind === 'release') ?? null;
  return branches.find((b) => b.name === name) ?? null;
}

/**
 * A repository's settings as seen from one of its branches: the same settings, with `branch`
 * naming that branch, so every read of `branch` (fetch, checkout, push, lease) is the one at
 * hand. Null for a branch that is not configured.
 */
export function onBranch<T extends { branch: string; branches: readonly ReleaseBranch[] }>(
  settings: T,
  name?: string | null,
): T | null {
  const branch = findBranch(settings.branches, name);
  return branch ? { ...settings, branch: branch.name } : null;
}

/** The configured branch the settings work for (see `onBranch`); the release branch when `branch` names none. */
export function branchOf(settings: { branch: string; branches: readonly ReleaseBranch[] }): ReleaseBranch {
  return (
    findBranch(settings.branches, settings.branch) ??
    findBranch(settings.branches) ?? {
      name: settings.branch,
      kind: 'release',
      channel: DEFAULT_CHANNEL,
      prerelease: null,
      range: null,
      deploy: true,
    }
  );
}

/**
 * What a branch's next version is decided from, as its tags say (`activities/git.ts` reads them
 * in one listing): `last` is the branch's last release (the release and maintenance branches:
 * the highest stable version reachable, a maintenance branch's within its range; a prerelease
 * branch: the highest that is stable or a prerelease of its own identifier), `latestStable` the
 * highest stable version reachable, and `ceiling` the lowest stable release above `last` that
 * the branch does not reach (another line's release: a maintenance branch must stay below it).
 */
export interface BranchVersionInput {
  last: { version: string; tag: string } | null;
  latestStable: string | null;
  ceiling: string | null;
  bump: Bump | null;
  commitCount: number;
  initialVersion?: string;
  preMajor?: boolean;
  override?: string;
}

/** The next version is not one this branch may release; retrying will not change that. */
export class VersionOutOfRangeError extends ShipgateError {
  override name = 'VersionOutOfRangeError';
  constructor(message: string) {
    super('SHIPGATE_VERSION_OUT_OF_RANGE', message);
  }
}

/**
 * The versions a maintenance branch may release now: its range, capped by the lowest release of
 * another line above its last one. `1.x` cut at v1.5.0 while the release branch has v1.6.0 may
 * release 1.5.1, never 1.6.0, which exists already.
 */
export function maintenanceBounds(branch: ReleaseBranch, ceiling: string | null): { min: string; max: string } {
  const range = branch.range ?? { min: '0.0.0', max: '999999999.0.0' };
  const max = ceiling !== null && semver.lt(ceiling, range.max) ? ceiling : range.max;
  return { min: range.min, max };
}

/**
 * The next version of a release on `branch`, as semantic-release decides it
 * (`lib/get-next-version.js`, `lib/branches/normalize.js`):
 * - the release branch: `nextVersion` as it always was (prereleases never count);
 * - a prerelease branch `beta`: after a `-beta.N` release, the higher of its next prerelease
 *   (`-beta.N+1`) and the bump of the latest stable version as a first prerelease (so a breaking
 *   change after `1.1.0-beta.1` makes `2.0.0-beta.1`); after a stable release, its bump as
 *   `-beta.1`; with no release at all, `<initialVersion>-beta.1`;
 * - a maintenance branch: the bump of its last release, which must stay in its bounds
 *   (`maintenanceBounds`), else `VersionOutOfRangeError` (semantic-release's EINVALIDNEXTVERSION).
 *   A maintenance branch with no release in its range refuses too: it continues a line, it
 *   never starts one (semantic-release plans such a branch from 1.0.0, outside most ranges).
 * A bump override applies the same rule as the commits' bump; an explicit version must be a
 * prerelease of the branch's identifier on a prerelease branch, and in the bounds on a
 * maintenance branch.
 */
export function nextOnBranch(branch: ReleaseBranch, input: BranchVersionInput): NextVersion {
  if (branch.kind === 'release')
    return nextVersion({
      current: input.last?.version ?? null,
      currentTag: input.last?.tag ?? null,
      bump: input.bump,
      commitCount: input.commitCount,
      initialVersion: input.initialVersion,
      preMajor: input.preMajor,
      override: input.override,
    });
  const override = input.override === undefined ? null : parseBumpOverride(input.override);
  const bump = override?.kind === 'bump' ? override.bump : input.bump;
  if (override === null && bump === null) {
    const commits = input.commitCount === 1 ? '1 commit' : `${input.commitCount} commits`;
    return {
      version: null,
      reason: `nothing to release on ${branch.name}${input.last ? ` since ${input.last.tag}` : ''}: ${commits}, none releasable`,
    };
  }
  return branch.kind === 'prerelease'
    ? nextPrerelease(branch, input, override, bump)
    : nextMaintenance(branch, input, override, bump);
}

function nextPrerelease(
  branch: ReleaseBranch,
  input: BranchVersionInput,
  override: BumpOverride | null,
  bump: Bump | null,
): NextVersion {
  const id = branch.prerelease ?? branch.name;
  const last = input.last?.version ?? null;
  if (override?.kind === 'version') {
    const { version } = override;
    const ids = semver.prerelease(version);
    if (ids === null || ids[0] !== id)
      throw new VersionOverrideError(
        `version override ${version} is not a -${id} prerelease: branch ${branch.name} releases versions like 2.0.0-${id}.1`,
      );
    if (last !== null && !semver.gt(version, last))
      throw new VersionOverrideError(`version override ${version} must be greater than the last release ${last}`);
    return { version, reason: `override on ${branch.name}: explicit version ${version}` };
  }
  const level = bump ?? 'patch';
  const how = override ? `override ${level}` : level;
  if (last === null) {
    const initial = requireStable(input.initialVersion ?? DEFAULT_INITIAL_VERSION);
    const version = `${initial}-${id}.1`;
    return { version, reason: `first release on ${branch.name} (${how}) → ${version}` };
  }
  const stableBump = (stable: string) => `${increment(stable, level, input.preMajor)}-${id}.1`;
  if (!isPrereleaseOf(last, id)) {
    const version = stableBump(last);
    return { version, reason: `${how} on ${branch.name}: ${last} → ${version}` };
  }
  const next = semver.inc(last, 'prerelease');
  if (next === null) throw new RangeError(`cannot take the next prerelease of ${last}`);
  const fromStable = input.latestStable === null ? null : stableBump(input.latestStable);
  if (fromStable !== null && semver.gt(fromStable, next))
    return {
      version: fromStable,
      reason: `${how} on ${branch.name}: ${input.latestStable} → ${fromStable} (above ${last}'s next prerelease ${next})`,
    };
  return { version: next, reason: `${how} on ${branch.name}: ${last} → ${next}` };
}

function nextMaintenance(
  branch: ReleaseBranch,
  input: BranchVersionInput,
  override: BumpOverride | null,
  bump: Bump | null,
): NextVersion {
  const bounds = maintenanceBounds(branch, input.ceiling);
  const allowed = `>=${bounds.min} <${bounds.max}`;
  const capped = input.ceiling !== null && bounds.max === input.ceiling ? `: ${input.ceiling} is another line's` : '';
  if (input.last === null)
    throw new VersionOutOfRangeError(
      `branch ${branch.name} reaches no release in its range ${allowed}: a maintenance branch continues a line, so start it from that line's last release tag (e.g. git branch ${branch.name} ${branch.range ? `v${branch.range.min}` : '<tag>'})`,
    );
  const last = input.last.version;
  let version: string;
  let reason: string;
  if (override?.kind === 'version') {
    version = override.version;
    if (!semver.gt(version, last))
      throw new VersionOverrideError(`version override ${version} must be greater than the last release ${last}`);
    reason = `override on ${branch.name}: explicit version ${version}`;
  } else {
    const level = bump ?? 'patch';
    version = increment(last, level, input.preMajor);
    reason = `${override ? `override ${level}` : level} on ${branch.name}: ${last} → ${version}`;
  }
  if (semver.prerelease(version) !== null || !semver.satisfies(version, allowed))
    throw new VersionOutOfRangeError(
      `${version} is outside what branch ${branch.name} may release (${allowed}${capped}); nothing was written: release it from a branch whose range has it, or keep ${branch.name} to fixes`,
    );
  return { version, reason };
}

function isPrereleaseOf(version: string, id: string): boolean {
  return semver.prerelease(version)?.[0] === id;
}

/** A bump of a stable version; below 1.0.0 with `preMajor`, a breaking change bumps the minor (as `nextVersion`). */
function increment(version: string, bump: Bump, preMajor = false): string {
  const level = preMajor && semver.major(version) === 0 && bump === 'major' ? 'minor' : bump;
  const next = semver.inc(version, level);
  if (next === null) throw new RangeError(`cannot apply a ${level} bump to ${version}`);
  return next;
}

function requireStable(version: string): string {
  const cleaned = version.replace(/^v/i, '');
  if (semver.valid(cleaned) !== cleaned)
    throw new RangeError(`initial version ${JSON.stringify(version)} is not a semantic version`);
  return cleaned;
}
