import type { CommitEntry, RawCommit } from './commit.js';

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
export function applyReverts(
  entries: readonly CommitEntry[],
  commits: readonly RawCommit[],
  range: RangeGraph = new RangeGraph(commits),
): CommitEntry[] {
  const targetsOf = new Map<number, number[]>();
  entries.forEach((entry, i) => {
    if (entry.revertOf === undefined) return;
    const target = findBySha(range.index, commits, entry.revertOf);
    if (target === undefined || target === i) return;
    targetsOf.set(i, [target, ...range.brought(target)]);
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

/**
 * The commits of one range as a graph: their SHAs and what each merge brought. Built once per
 * analysis and shared by the merge rule (does a merge repeat a commit it brings?) and the revert
 * rules (reverting a merge drops what it brought), so a merge is walked at most once.
 */
export class RangeGraph {
  readonly index: ShaIndex;
  private readonly merges: MergeWalker;

  constructor(commits: readonly RawCommit[]) {
    this.index = indexShas(commits);
    this.merges = new MergeWalker(commits, this.index);
  }

  /** The positions of the commits merge `merge` brought in (reachable from its side parents only); [] for a non-merge. */
  brought(merge: number): number[] {
    return this.merges.brought(merge);
  }
}

const MAINLINE = 1;
const SIDE = 2;

/**
 * Finds the commits a merge brought in: those reachable from its side parents but not from its
 * mainline. Walking the whole mainline for every reverted merge made a history of reverted
 * merges quadratic (4,000 took a minute); instead both sides are painted newest first, by
 * generation, and the walk stops as soon as every side commit still queued is also mainline,
 * as git's own merge-base search does. Its cost is the part of the history the merge spans.
 */
class MergeWalker {
  private generations: Int32Array | null = null;
  private readonly cache = new Map<number, number[]>();

  constructor(
    private readonly commits: readonly RawCommit[],
    private readonly index: ShaIndex,
  ) {}

  brought(merge: number): number[] {
    const parents = this.commits[merge]?.parents ?? [];
    if (parents.length < 2) return [];
    const cached = this.cache.get(merge);
    if (cached) return cached;
    const generation = this.generationsOf();
    const paint = new Map<number, number>();
    const queue = new MaxHeap((i) => generation[i] ?? 0);
    const sideOnly = new Set<number>();
    const mark = (sha: string, flags: number) => {
      const i = this.index.exact.get(sha.toLowerCase());
      if (i === undefined) return;
      const before = paint.get(i) ?? 0;
      const after = before | flags;
      if (after === before) return;
      paint.set(i, after);
      if (after === SIDE) sideOnly.add(i);
      else sideOnly.delete(i);
      queue.push(i);
    };
    parents.forEach((parent, n) => mark(parent, n === 0 ? MAINLINE : SIDE));

    const brought: number[] = [];
    while (sideOnly.size > 0) {
      const i = queue.pop();
      if (i === undefined) break;
      // Every commit that could still paint this one is newer, so was taken already: its paint is final.
      const flags = paint.get(i) ?? 0;
      if (sideOnly.delete(i)) brought.push(i);
      for (const parent of this.commits[i]?.parents ?? []) mark(parent, flags);
    }
    this.cache.set(merge, brought);
    return brought;
  }

  /** One more than the highest generation among each commit's parents in the list; iterative, so any depth is fine. */
  private generationsOf(): Int32Array {
    if (this.generations) return this.generations;
    const generation = new Int32Array(this.commits.length).fill(-1);
    for (let root = 0; root < this.commits.length; root += 1) {
      if (generation[root] !== -1) continue;
      const stack = [root];
      while (stack.length > 0) {
        const i = stack[stack.length - 1] ?? 0;
        const parents = (this.commits[i]?.parents ?? [])
          .map((sha) => this.index.exact.get(sha.toLowerCase()))
          .filter((p) => p !== undefined);
        const pending = parents.filter((p) => generation[p] === -1);
        if (pending.length > 0 && generation[i] !== -2) {
          // -2: on the stack, so a (bogus) cycle ends instead of looping.
          generation[i] = -2;
          stack.push(...pending.filter((p) => generation[p] !== -2));
          continue;
        }
        stack.pop();
        generation[i] = 1 + Math.max(-1, ...parents.map((p) => Math.max(generation[p] ?? 0, 0)));
      }
    }
    this.generations = generation;
    return generation;
  }
}

/** A binary max-heap of indices by a key. */
class MaxHeap {
  private readonly items: number[] = [];

  constructor(private readonly key: (item: number) => number) {}

  push(item: number): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (this.key(items[up] ?? 0) >= this.key(item)) break;
      items[i] = items[up] ?? 0;
      items[up] = item;
      i = up;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < items.length && this.key(items[left] ?? 0) > this.key(items[largest] ?? 0)) largest = left;
      if (right < items.length && this.key(items[right] ?? 0) > this.key(items[largest] ?? 0)) largest = right;
      if (largest === i) break;
      items[i] = items[largest] ?? 0;
      items[largest] = last;
      i = largest;
    }
    return top;
  }
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
