import { fileURLToPath } from 'node:url';
import type { CommitRules, RawCommit, ReleaseRule } from '../domain/commit.js';
import { analyseCommits } from '../domain/commits.js';
import { ensureSemanticRelease } from './semantic-release.js';

/**
 * shipgate's commit rules beside semantic-release's, case by case: each case is a small range
 * of commits, given to shipgate's analysis and to @semantic-release/commit-analyzer's
 * `analyzeCommits` after semantic-release's own `[skip release]` filter, both as installed in
 * bench/node_modules. Prints one line per case and where the two differ on purpose.
 * Not part of the test suite: `npm run build && tsc -p bench/tsconfig.json && node dist/bench/commit-rules-parity.js`.
 */

interface Case {
  name: string;
  /** Newest first, as git lists them; `parents` by index into this list, default: the next one. */
  commits: { message: string; parents?: number[] }[];
  rules?: Partial<CommitRules>;
  /** Why shipgate answers otherwise, when it does so on purpose. */
  differs?: string;
}

const CASES: Case[] = [
  { name: 'feat', commits: [{ message: 'feat: add x' }] },
  { name: 'nested scope fix(a(b)):', commits: [{ message: 'fix(a(b)): x' }] },
  { name: 'two scopes feat(a)(b):', commits: [{ message: 'feat(a)(b): x' }] },
  { name: 'leading whitespace', commits: [{ message: '  feat(api): indented' }] },
  { name: '[skip release]', commits: [{ message: 'feat: x [skip release]' }] },
  { name: '[release skip]', commits: [{ message: 'feat: x\n\nNot yet [release skip]' }] },
  { name: '[SKIP  release]', commits: [{ message: 'feat: x [SKIP  release]' }] },
  {
    name: 'merge titled feat over chores',
    commits: [
      { message: 'feat: add topic (#12)', parents: [3, 1] },
      { message: 'chore: b' },
      { message: 'chore: a' },
      { message: 'chore: base' },
    ],
  },
  {
    name: 'merge with a BREAKING CHANGE footer',
    commits: [
      { message: 'Merge pull request #40 from o/dates\n\nBREAKING CHANGE: dates need a zone', parents: [2, 1] },
      { message: 'fix: dates' },
      { message: 'chore: base' },
    ],
  },
  {
    name: 'merge repeating its commit',
    commits: [
      { message: 'feat: add topic', parents: [2, 1] },
      { message: 'feat: add topic' },
      { message: 'chore: base' },
    ],
  },
  {
    name: '"Merge pull request" over a feat',
    commits: [
      { message: 'Merge pull request #7 from o/x', parents: [2, 1] },
      { message: 'feat: x' },
      { message: 'chore: base' },
    ],
  },
  { name: "a person's chore(release)!:", commits: [{ message: 'chore(release)!: drop v1 API' }] },
  { name: 'chore(release): without the trailer', commits: [{ message: 'chore(release): v1.2.0' }] },
  {
    name: "shipgate's release commit (trailer)",
    commits: [{ message: 'chore(release): v1.2.0\n\nShipgate-Release: v1.2.0\n' }],
  },
  {
    name: 'a feat carrying the trailer',
    commits: [{ message: 'feat: x\n\nShipgate-Release: v1.2.0' }],
    differs: 'the trailer marks a shipgate release commit, whatever its subject; semantic-release has no such mark',
  },
  {
    name: 'refactor → patch by a rule',
    commits: [{ message: 'refactor: split' }],
    rules: { releaseRules: [{ type: 'refactor', release: 'patch' }] },
  },
  {
    name: 'release: false',
    commits: [{ message: 'feat(deps): bump x' }],
    rules: { releaseRules: [{ type: 'feat', scope: 'deps', release: false }] },
  },
  {
    name: 'release: false before a matching patch rule',
    commits: [{ message: 'feat(api): x' }],
    rules: {
      releaseRules: [
        { type: 'feat', release: false },
        { scope: 'api', release: 'patch' },
      ],
    },
    differs:
      'a matching release: false always wins; in the analyser a later matching rule overrides it (order-dependent)',
  },
  {
    name: 'scope glob deps*',
    commits: [{ message: 'chore(deps-dev): bump y' }],
    rules: { releaseRules: [{ scope: 'deps*', release: 'patch' }] },
  },
  {
    name: 'breaking: true → minor',
    commits: [{ message: 'feat!: x' }],
    rules: { releaseRules: [{ breaking: true, release: 'minor' }] },
  },
  {
    name: 'a rule decides a breaking commit it matches',
    commits: [{ message: 'docs!: new layout' }],
    rules: { releaseRules: [{ type: 'docs', release: 'patch' }] },
  },
  { name: 'angular feat!:', commits: [{ message: 'feat!: x' }], rules: { preset: 'angular' } },
  { name: 'conventionalcommits feat!:', commits: [{ message: 'feat!: x' }] },
  {
    name: 'angular BREAKING-CHANGE: footer',
    commits: [{ message: 'feat: x\n\nBREAKING-CHANGE: y' }],
    rules: { preset: 'angular' },
  },
  { name: 'conventionalcommits BREAKING-CHANGE: footer', commits: [{ message: 'fix: x\n\nBREAKING-CHANGE: y' }] },
  {
    name: 'lower-case "breaking change:" in the body',
    commits: [{ message: 'fix: x\n\nbreaking change: y' }],
    differs: 'Conventional Commits 1.0 wants the upper-case token; the parser default takes any case',
  },
  {
    name: '"BREAKING CHANGE" without a colon',
    commits: [{ message: 'fix: x\n\nBREAKING CHANGE y' }],
    differs: 'Conventional Commits 1.0 wants `BREAKING CHANGE:`; the parser default takes any separator',
  },
  {
    name: 'upper-case type Feat:',
    commits: [{ message: 'Feat: shout' }],
    differs: 'Conventional Commits 1.0 reads types case-insensitively; the analyser knows feat and FEAT only',
  },
  {
    name: 'no type: "!: x"',
    commits: [{ message: '!: x' }],
    differs: 'a header needs a type (\\w+); the presets\' \\w* reads "!: x" as a breaking commit of type ""',
  },
  {
    name: 'feat and its revert',
    commits: [{ message: 'Revert "feat: x"\n\nThis reverts commit @1.' }, { message: 'feat: x' }],
  },
  { name: 'lone revert', commits: [{ message: 'Revert "feat: y"\n\nThis reverts commit 1a2b3c4d5e6f.' }] },
  { name: 'docs only', commits: [{ message: 'docs: words' }, { message: 'chore: tidy' }] },
];

// conventional-changelog-conventionalcommits' parser options (src/parser.js), which the analyser
// is given as parserOpts over its default preset: that preset is not installed beside it.
const CONVENTIONALCOMMITS_PARSER = {
  headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
  breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
  revertPattern: /^(?:Revert|revert:)\s"?([\s\S]+?)"?\s*This reverts commit (\w*)\./i,
};

function sha(n: number, caseIndex: number): string {
  return `${caseIndex.toString(16).padStart(4, '0')}${n.toString(16).padStart(4, '0')}`.padEnd(40, 'a');
}

function rawCommits(c: Case, caseIndex: number): RawCommit[] {
  return c.commits.map(({ message, parents }, n) => {
    const text = message.replace(/@(\d+)/g, (_all, i: string) => sha(Number(i), caseIndex));
    const eol = text.indexOf('\n');
    const list = parents ?? (n + 1 < c.commits.length ? [n + 1] : []);
    return {
      sha: sha(n, caseIndex),
      parents: list.map((p) => sha(p, caseIndex)),
      subject: eol === -1 ? text : text.slice(0, eol),
      body: eol === -1 ? '' : text.slice(eol + 1).replace(/^\n+/, ''),
      committedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    };
  });
}

type Analyse = (config: object, context: object) => Promise<string | null>;
type Preprocess = (inputs: { commits: { hash: string; message: string }[] }) => {
  commits: { hash: string; message: string }[];
};

async function main(): Promise<void> {
  await ensureSemanticRelease((line) => console.log(line));
  const modules = new URL('../../bench/node_modules/', import.meta.url);
  const analyser = (await import(new URL('@semantic-release/commit-analyzer/index.js', modules).href)) as {
    analyzeCommits: Analyse;
  };
  const plugins = (await import(new URL('semantic-release/lib/definitions/plugins.js', modules).href)) as {
    default: { analyzeCommits: { preprocess: Preprocess } };
  };
  const logger = { log: () => undefined, error: () => undefined };
  let agree = 0;
  const surprises: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const commits = rawCommits(c, i);
    const ours = analyseCommits(commits, c.rules).bump;
    // As semantic-release reads a log: each message trimmed (lib/git.js), merges analysed like any commit.
    const messages = commits.map((commit) => ({
      hash: commit.sha,
      message: (commit.body ? `${commit.subject}\n\n${commit.body}` : commit.subject).trim(),
    }));
    const { commits: kept } = plugins.default.analyzeCommits.preprocess({ commits: messages });
    const releaseRules: ReleaseRule[] | undefined = c.rules?.releaseRules;
    const config = {
      ...(releaseRules ? { releaseRules } : {}),
      ...(c.rules?.preset === 'angular' ? {} : { parserOpts: CONVENTIONALCOMMITS_PARSER }),
    };
    const theirs =
      (await analyser.analyzeCommits(config, { commits: kept, logger, cwd: fileURLToPath(modules) })) ?? null;
    const same = ours === theirs;
    if (same) agree += 1;
    else if (!c.differs) surprises.push(c.name);
    const mark = same ? 'same' : c.differs ? 'differs on purpose' : 'DIFFERS';
    console.log(
      `${mark.padEnd(18)} ${c.name.padEnd(46)} shipgate ${String(ours).padEnd(6)} semantic-release ${String(theirs)}${!same && c.differs ? ` (${c.differs})` : ''}`,
    );
  }
  console.log(
    `\n${agree} of ${CASES.length} cases agree; ${CASES.length - agree - surprises.length} differ on purpose; unexpected: ${surprises.join(', ') || 'none'}`,
  );
  if (surprises.length > 0) process.exitCode = 1;
}

await main();
