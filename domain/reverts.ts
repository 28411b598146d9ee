import type { CommitEntry, RawCommit } from './commits.js';

// git never abbreviates a SHA below 4 hex digits, so the first 4 are a safe bucket key.
const MIN_ABBREV = 4;

interface ShaIndex {
  exact: Map<string, number>;
  byPrefix: Map<string, number[]>;
}

/**
 * Drops a revert and what it reverts when both are in the range; reverting a merge also drops
 * the commits that merge brought in. Reverts can chain (reverting a revert re-applies the
 * original), so a revert only cancels while it is itself still active. `entries[i]` must
 * describe `commits[i]`.
 */
export function applyReverts(entries: readonly CommitEntry[], commits: readonly RawCommit[]): CommitEntry[] {
  const index = indexShas(commits);
  const targetsOf = new Map<number, number[]>();
  entries.forEach((entry, i) => {
    if (entry.revertOf === undefined) return;
    const target = findBySha(index, commits, entry.revertOf);
    if (target === undefined || target === i) return;
    targetsOf.set(i, [target, ...broughtByMerge(target, commits, index)]);
  });
  if (targetsOf.size === 0) return [...entries];

  const cancelledBy = resolveCancellations(targetsOf);
  return entries.map((entry, i) => {
    const by = cancelledBy.get(i);
    // Commits that never counted keep the reason they never counted.
    if (by !== undefined && entry.bump !== null) {
      return { ...entry, bump: null, reason: `cancelled by revert ${entries[by]?.shortSha ?? ''}` };
    }
    const target = targetsOf.get(i)?.[0];
    if (by === undefined && target !== undefined) {
      const reverted = entries[target]?.shortSha ?? '';
      return { ...entry, bump: null, reason: `reverts ${reverted} in the same range → both dropped` };
    }
    return entry;
  });
}

/**
 * Maps each cancelled commit to the active revert that cancels it. Decides every revert before
 * its targets, starting from reverts nobody reverted, so it stays linear and needs no recursion
 * however long a revert chain is; a (bogus) cycle simply cancels nothing.
 */
function resolveCancellations(targetsOf: ReadonlyMap<number, readonly number[]>): Map<number, number> {
  const undecidedReverters = new Map<number, number>();
  for (const targets of targetsOf.values()) {
    for (const target of targets) undecidedReverters.set(target, (undecidedReverters.get(target) ?? 0) + 1);
  }

  const cancelledBy = new Map<number, number>();
  const decided = [...targetsOf.keys()].filter((revert) => !undecidedReverters.has(revert));
  for (let node = decided.pop(); node !== undefined; node = decided.pop()) {
    for (const target of targetsOf.get(node) ?? []) {
      if (!cancelledBy.has(node) && !cancelledBy.has(target)) cancelledBy.set(target, node);
      const remaining = (undecidedReverters.get(target) ?? 1) - 1;
      undecidedReverters.set(target, remaining);
      if (remaining === 0) decided.push(target);
    }
  }
  return cancelledBy;
}

/** Commits in the list reachable from the merge's side parents but not from its mainline. */
function broughtByMerge(merge: number, commits: readonly RawCommit[], index: ShaIndex): number[] {
  const parents = commits[merge]?.parents ?? [];
  if (parents.length < 2) return [];
  const mainline = ancestors(parents.slice(0, 1), commits, index, new Set());
  return [...ancestors(parents.slice(1), commits, index, mainline)];
}

function ancestors(
  starts: readonly string[],
  commits: readonly RawCommit[],
  index: ShaIndex,
  stopAt: ReadonlySet<number>,
): Set<number> {
  const seen = new Set<number>();
  const queue = [...starts];
  for (let sha = queue.pop(); sha !== undefined; sha = queue.pop()) {
    const i = index.exact.get(sha.toLowerCase());
    if (i === undefined || seen.has(i) || stopAt.has(i)) continue;
    seen.add(i);
    queue.push(...(commits[i]?.parents ?? []));
  }
  return seen;
}

function indexShas(commits: readonly RawCommit[]): ShaIndex {
  const exact = new Map<string, number>();
  const byPrefix = new Map<string, number[]>();
  commits.forEach((commit, i) => {
    const sha = commit.sha.toLowerCase();
    exact.set(sha, i);
    const bucket = byPrefix.get(sha.slice(0, MIN_ABBREV));
    if (bucket) bucket.push(i);
    else byPrefix.set(sha.slice(0, MIN_ABBREV), [i]);
  });
  return { exact, byPrefix };
}

/** Either SHA may be the abbreviated one; an ambiguous abbreviation matches nothing. */
function findBySha(index: ShaIndex, commits: readonly RawCommit[], sha: string): number | undefined {
  const wanted = sha.toLowerCase();
  const exact = index.exact.get(wanted);
  if (exact !== undefined) return exact;
  const matches = (index.byPrefix.get(wanted.slice(0, MIN_ABBREV)) ?? []).filter((i) => {
    const candidate = commits[i]?.sha.toLowerCase() ?? '';
    return candidate.startsWith(wanted) || wanted.startsWith(candidate);
  });
  return matches.length === 1 ? matches[0] : undefined;
}
