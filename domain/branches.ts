import semver from 'semver';

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
  if (entry.prerelease !== undefined && entry.prerelease !== false) {
    if (entry.range !== undefined)
      throw new BranchSettingsError(`branch ${name} cannot be both a prerelease and a maintenance branch`);
    const id = entry.prerelease === true ? name : entry.prerelease;
    if (!PRERELEASE_ID.test(id) || /^\d+$/.test(id) || semver.valid(`1.0.0-${id}.1`) === null)
      throw new BranchSettingsError(
        `branch ${name}: prerelease identifier ${JSON.stringify(id)} must be letters, digits and dashes, not only digits${entry.prerelease === true ? ' (set prerelease: <identifier> for a branch whose name is not one)' : ''}`,
      );
    return {
      name,
      kind: 'prerelease',
      channel: entry.channel ?? name,
      prerelease: id,
      range: null,
      deploy: entry.deploy ?? false,
    };
  }
  const rangeName = entry.range ?? name;
  const range = maintenanceRange(rangeName);
  if (entry.range !== undefined && range === null)
    throw new BranchSettingsError(`branch ${name}: range ${JSON.stringify(entry.range)} is not like 1.x or 1.2.x`);
  if (range)
    return {
      name,
      kind: 'maintenance',
      channel: entry.channel ?? name,
      prerelease: null,
      range,
      deploy: entry.deploy ?? false,
    };
  return {
    name,
    kind: 'release',
    channel: entry.channel ?? DEFAULT_CHANNEL,
    prerelease: null,
    range: null,
    deploy: entry.deploy ?? true,
  };
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
