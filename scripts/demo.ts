import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { run } from '../cli/main.js';
import { configuredDataDir } from '../config/data-dir.js';

/**
 * The guided tour, against a running `npm start` with the sample repository: QA, release,
 * deploy and health through the API, then where to look. Each later run commits a new feature
 * to the sample first, so it releases again.
 */
const dataDir = configuredDataDir({ env: process.env });
const sampleDir = path.join(dataDir, 'sample', 'app');
const apiUrl = process.env.SHIPGATE_API_URL ?? `http://127.0.0.1:${process.env.SHIPGATE_API_PORT ?? 3000}`;
const uiUrl = process.env.SHIPGATE_UI_URL ?? 'http://localhost:8233';
const say = (line = '') => process.stdout.write(`${line}\n`);

async function token(): Promise<string> {
  if (process.env.SHIPGATE_API_TOKEN) return process.env.SHIPGATE_API_TOKEN;
  const saved = await readFile(path.join(dataDir, '.api-token'), 'utf8').catch(() => '');
  if (saved.trim()) return saved.trim();
  throw new Error(
    `no API token: run \`npm start\` in another terminal first ` +
      `(it saves its token in ${path.join(dataDir, '.api-token')}), or set SHIPGATE_API_TOKEN`,
  );
}

async function cli(...argv: string[]): Promise<number> {
  return run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: { ...process.env, SHIPGATE_API_URL: apiUrl, SHIPGATE_API_TOKEN: await token() },
  });
}

async function git(...args: string[]): Promise<string> {
  return (
    await execa('git', args, {
      cwd: sampleDir,
      env: {
        GIT_AUTHOR_NAME: 'demo',
        GIT_AUTHOR_EMAIL: 'demo@localhost',
        GIT_COMMITTER_NAME: 'demo',
        GIT_COMMITTER_EMAIL: 'demo@localhost',
      },
    })
  ).stdout;
}

/** A small, tested feature: the sample keeps full coverage, so the gate passes. */
async function commitFeature(n: number): Promise<void> {
  const source = await readFile(path.join(sampleDir, 'src', 'greeting.js'), 'utf8');
  const name = `greetPolitely${n}`;
  await writeFile(
    path.join(sampleDir, 'src', 'greeting.js'),
    `${source}\nexport function ${name}(name) {\n  const polite = \`Good day, \${name}\`;\n  return \`\${polite} (${n})\`;\n}\n`,
  );
  await writeFile(
    path.join(sampleDir, 'test', `polite-${n}.test.js`),
    `import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { ${name} } from '../src/greeting.js';\n\ntest('${name} is polite', () => {\n  assert.equal(${name}('Ada'), 'Good day, Ada (${n})');\n});\n`,
  );
  await git('add', 'src', 'test');
  await git('commit', '-q', '-m', `feat(greeting): polite greeting number ${n}`);
  say(`→ committed "feat(greeting): polite greeting number ${n}" to the sample (${sampleDir})`);
}

async function main(): Promise<number> {
  say('shipgate demo: QA → release → deploy → health, through the API\n');
  if ((await cli('repos')) !== 0) return 1;
  const tags = (await git('tag', '--list')).split('\n').filter(Boolean);
  if (tags.length > 0) await commitFeature(tags.length + 1);

  say('\n1. What would a release do? (a dry run: nothing is written)');
  await cli('plan', 'sample');
  say('\n2. The quality gate: tests, coverage of the changed lines, one report in context/');
  const qa = await cli('qa', 'sample', '--follow');
  if (qa !== 0) return qa;
  say('\n3. Release and deploy: version, changelog, tag, atomic push, deploy, health');
  const release = await cli('release', 'sample', '--follow');
  say('\n4. The service now answers:');
  say(
    `   ${await fetch('http://127.0.0.1:4480/healthz').then(
      (r) => r.text(),
      () => '(not reachable)',
    )}`,
  );
  say('\nWhere to look:');
  say(
    `   Temporal UI: ${uiUrl}/namespaces/default/workflows/release:sample  ` +
      `(and qa:sample:<sha>, deploy:sample:production)`,
  );
  say(`   UI query:    ShipgateRepo = "sample" AND WorkflowType = "releaseWorkflow"`);
  say(`   In the repo: ${sampleDir}/CHANGELOG.md, config/version.yml, context/ (QA and deploy reports), git tag -n`);
  say('   Run `npm run demo` again to release the next version.');
  return release;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
