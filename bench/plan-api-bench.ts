import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { execa } from 'execa';
import { openGit } from '../activities/git.js';
import { planRelease } from '../activities/plan.js';
import { startApiProcess } from './api-process.js';
import { benchConfig, startInProcessWorker, tempRoot, type TemporalEnvironment } from './environment.js';
import type { HistoryRepo } from './history-repo.js';
import { historyRepoConfig } from './plan-config.js';
import { verdict, type BenchResult } from './report.js';
import { ensureSemanticRelease, SEMANTIC_RELEASE_VERSION, semanticReleaseDryRun } from './semantic-release.js';
import { elapsedMs, formatMs, formatRatio, formatSpread, pairedRatios, spread } from './stats.js';

const TARGET_RATIO = 20;
const REPO_ID = 'history';

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/**
 * Benchmark 1, second half: shipgate's plan as a client gets it (`GET /repos/:id/plan` on the
 * API process, answered by a worker through Temporal) beside semantic-release's dry run of the
 * same history, interleaved run by run with alternating order after one warm-up of each.
 */
export async function planApiComparison(
  history: HistoryRepo,
  temporal: TemporalEnvironment,
  runs: number,
  log: (line: string) => void,
): Promise<BenchResult> {
  const bin = await ensureSemanticRelease(log);
  const temp = await tempRoot('shipgate-bench-plan-api-');
  const remote = path.join(temp.root, 'remote.git');
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  await execa('git', ['push', '--quiet', remote, 'main', '--tags'], { cwd: history.dir });
  const remoteUrl = `file://${remote}`;

  const config = benchConfig(temp.root, temporal.address, 'bench-plan', [
    { id: REPO_ID, path: history.dir, test: { command: ['true'] } },
  ]);
  const worker = await startInProcessWorker(config, temporal.address, 'bench-plan');
  const token = randomBytes(24).toString('base64url');
  const api = await startApiProcess({ config, address: temporal.address, token }).catch(async (error: unknown) => {
    await worker.stop();
    throw error;
  });
  try {
    const url = `http://127.0.0.1:${api.port}/repos/${REPO_ID}/plan`;
    const headers = { authorization: `Bearer ${token}` };
    let bytes = 0;
    let srAnalysed = 0;
    const timeApi = async (): Promise<number> => {
      const started = process.hrtime.bigint();
      const response = await fetch(url, { headers });
      const body = await response.text();
      const ms = elapsedMs(started);
      if (response.status !== 200) throw new Error(`GET /plan answered ${response.status}: ${body.slice(0, 300)}`);
      const plan = JSON.parse(body) as { commitCount: number };
      if (plan.commitCount !== history.commits)
        throw new Error(`the API planned ${plan.commitCount} commits, expected ${history.commits}`);
      bytes = Buffer.byteLength(body);
      return ms;
    };
    const timeSemanticRelease = async (): Promise<number> => {
      const started = process.hrtime.bigint();
      const analysed = await semanticReleaseDryRun(bin, history.dir, remoteUrl);
      const ms = elapsedMs(started);
      // It leaves out a couple of the generated messages it cannot read; far fewer would mean a wrong range.
      if (analysed < history.commits * 0.99)
        throw new Error(`semantic-release analysed ${analysed} commits, expected about ${history.commits}`);
      srAnalysed = analysed;
      return ms;
    };

    // semantic-release starts a new process each run and takes minutes on this history: no warm-up of its own.
    await timeApi();
    const apiMs: number[] = [];
    const srMs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      if (run % 2 === 0) {
        apiMs.push(await timeApi());
        srMs.push(await timeSemanticRelease());
      } else {
        srMs.push(await timeSemanticRelease());
        apiMs.push(await timeApi());
      }
      log(`plan: API vs semantic-release run ${run + 1}/${runs}`);
    }
    // What the API answered before it paged: the whole plan, every commit in it.
    const full = await planRelease(openGit(history.dir), historyRepoConfig(history.dir), {
      sha: history.head,
      date: '2025-01-01',
    });
    const fullBytes = Buffer.byteLength(JSON.stringify(full));
    const ratio = spread(pairedRatios(srMs, apiMs));
    const c = `${history.commits / 1000}k commits`;
    return {
      rows: [
        {
          benchmark: '1 plan',
          case: c,
          metric: 'GET /plan through the API',
          value: formatSpread(spread(apiMs), formatMs),
          target: '',
          verdict: '',
        },
        {
          benchmark: '1 plan',
          case: c,
          metric: `semantic-release ${SEMANTIC_RELEASE_VERSION} --dry-run`,
          value: formatSpread(spread(srMs), formatMs),
          target: '',
          verdict: '',
        },
        {
          benchmark: '1 plan',
          case: c,
          metric: 'semantic-release ÷ API plan',
          value: formatSpread(ratio, formatRatio),
          target: `≥ ${TARGET_RATIO}×`,
          verdict: verdict(ratio.median >= TARGET_RATIO),
        },
        {
          benchmark: '1 plan',
          case: c,
          metric: 'plan response',
          value: `${formatBytes(bytes)} (whole plan ${formatBytes(fullBytes)})`,
          target: '',
          verdict: '',
        },
      ],
      notes: [
        `${c}, through the API (${runs} runs): "GET /plan through the API" is one \`GET /repos/${REPO_ID}/plan\` over HTTP to the API in a process of its own, ` +
          'which starts the read on the dev server; a worker in the benchmark process plans and answers through Temporal. ' +
          `"semantic-release" is \`semantic-release --dry-run --no-ci\` ${SEMANTIC_RELEASE_VERSION} (installed into bench/node_modules by \`npm ci --prefix bench\`, ` +
          'a dependency of the benchmark only) with only @semantic-release/commit-analyzer and @semantic-release/release-notes-generator, ' +
          'against a bare file:// remote holding the same history, so nothing goes to the network; its time includes starting Node. ' +
          `It reported analysing ${srAnalysed} of the ${history.commits} commits. ` +
          'Interleaved with alternating order after one warm-up of the API (semantic-release, minutes per run here, has none); the ratio is taken per pair. ' +
          `The response is the default answer (a summary per type, the changelog entry and the first page of 100 commits); "whole plan" is the plan with every commit, ` +
          'the answer before the commit list was paged.',
      ],
    };
  } finally {
    await api.stop();
    await worker.stop();
    await temp.remove();
  }
}
