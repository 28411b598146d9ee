import type { Bump, ReleaseRule } from './commit.js';

/**
 * `releaseRules` as semantic-release's commit analyser applies them, and the rules every preset
 * falls back to. The rules come from the configuration; the commit text they are matched
 * against is whatever a committer wrote, so nothing here builds a pattern from it.
 */

/** What a rule is matched against: one classified commit. */
export interface RuleSubject {
  /** Lower-cased, as the analysis keeps it; null when the header is not Conventional. */
  type: string | null;
  scope: string | null;
  /** Has a breaking note (a `BREAKING CHANGE:` footer, or a `!` header where the preset reads one). */
  breaking: boolean;
  revert: boolean;
}

/** The release a rule gives, and which rule gave it. `release: null` = never releases. */
export interface RuleDecision {
  release: Bump | null;
  reason: string;
}

const RANK: Readonly<Record<Bump, number>> = { patch: 1, minor: 2, major: 3 };

/**
 * The analyser's own default rules, as they apply to what the two presets parse: a breaking
 * note is a major, a revert a patch, feat a minor, fix and perf a patch. (Its other defaults
 * name fields only other presets fill: emoji, tag, component.) Types are compared lower-cased,
 * so its upper-case `FEAT`/`FIX` rules are these two.
 */
const DEFAULT_TYPES: ReadonlyMap<string, Bump> = new Map([
  ['feat', 'minor'],
  ['fix', 'patch'],
  ['perf', 'patch'],
]);

/**
 * The custom rules first: among the rules that match, the highest release wins (the first of
 * them names the reason), as the analyser's `analyzeCommit` does. One difference, on purpose: a
 * matching `release: false` always wins, where the analyser's outcome depends on the order
 * (a `false` after a matching `patch` rule wins there, before it loses). Undefined when no
 * custom rule matches: then the preset's rules decide (`defaultDecision`).
 */
export function customDecision(rules: readonly ReleaseRule[], commit: RuleSubject): RuleDecision | undefined {
  let best: { rule: ReleaseRule; index: number; release: Bump } | null = null;
  for (let index = 0; index < rules.length; index += 1) {
    const rule = rules[index];
    if (!rule || !ruleMatches(rule, commit)) continue;
    if (rule.release === false)
      return { release: null, reason: `releaseRules[${index}] (${describeRule(rule)}) → no release` };
    if (best === null || RANK[rule.release] > RANK[best.release]) best = { rule, index, release: rule.release };
  }
  if (best === null) return undefined;
  return {
    release: best.release,
    reason: `releaseRules[${best.index}] (${describeRule(best.rule)}) → ${best.release}`,
  };
}

/** The fields a rule names must all match; a rule naming a scope never matches a commit without one. */
function ruleMatches(rule: ReleaseRule, commit: RuleSubject): boolean {
  if (rule.breaking === true && !commit.breaking) return false;
  if (rule.revert === true && !commit.revert) return false;
  // Types are kept lower-cased (the specification reads them case-insensitively), so the rule's is too.
  if (rule.type !== undefined && (commit.type === null || !globMatch(rule.type.toLowerCase(), commit.type)))
    return false;
  if (rule.scope !== undefined && (commit.scope === null || !globMatch(rule.scope, commit.scope))) return false;
  return true;
}

/** `refactor`, `*(deps)`, `feat(api) breaking`, `revert`: what a rule matches, for a reason. */
function describeRule(rule: ReleaseRule): string {
  const head =
    rule.type !== undefined || rule.scope !== undefined
      ? `${rule.type ?? '*'}${rule.scope !== undefined ? `(${rule.scope})` : ''}`
      : '';
  const flags = [rule.breaking === true ? 'breaking' : '', rule.revert === true ? 'revert' : ''].filter(Boolean);
  return [head, ...flags].filter(Boolean).join(' ') || 'any commit';
}

/** The preset's default rules; null = no release, with the reason the analysis has always given. */
export function defaultBump(type: string | null): Bump | null {
  return type === null ? null : (DEFAULT_TYPES.get(type) ?? null);
}

type Token = { kind: 'char'; char: string } | { kind: 'star' } | { kind: 'globstar' };

/**
 * Whether `text` matches `pattern`, a glob as the analyser's micromatch reads the simple ones:
 * `*` is any run of characters but `/`, `**` any run at all, everything else itself. Run as a
 * set of pattern positions stepped once per character of the text, so the cost is the text's
 * length times the pattern's (a rule of a hundred characters at most), however the text is made.
 */
export function globMatch(pattern: string, text: string): boolean {
  const tokens = tokenize(pattern);
  let active = closure(tokens, new Set([0]));
  for (const char of text) {
    const next = new Set<number>();
    for (const at of active) {
      const token = tokens[at];
      if (!token) continue;
      if (token.kind === 'char') {
        if (token.char === char) next.add(at + 1);
      } else if (token.kind === 'globstar' || char !== '/') next.add(at);
    }
    if (next.size === 0) return false;
    active = closure(tokens, next);
  }
  return active.has(tokens.length);
}

function tokenize(pattern: string): Token[] {
  // By code point, as the text is stepped: a character outside the BMP is one character of either.
  const chars = [...pattern];
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i += 1) {
    if (chars[i] !== '*') {
      tokens.push({ kind: 'char', char: chars[i] ?? '' });
      continue;
    }
    let end = i;
    while (chars[end + 1] === '*') end += 1;
    tokens.push({ kind: end > i ? 'globstar' : 'star' });
    i = end;
  }
  return tokens;
}

/** A star may match nothing: every position just after a star is as reachable as the star. */
function closure(tokens: readonly Token[], states: Set<number>): Set<number> {
  for (const at of [...states]) {
    for (let i = at; tokens[i] && tokens[i]?.kind !== 'char'; i += 1) states.add(i + 1);
  }
  return states;
}
