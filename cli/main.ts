#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { visibleJson } from '../domain/visible-text.js';
import {
  asRunView,
  type DecisionAnswer,
  type DeploymentsView,
  type PlanView,
  type ReportView,
  type RepositoryView,
  type RunKind,
  type RunSummary,
  type Started,
} from './api-types.js';
import { parseCommandLine, UsageError, type Invocation } from './args.js';
import { follow, formatTime, PlainDisplay, SilentDisplay, TerminalDisplay, type Output } from './follow.js';
import { ApiClient, CliError } from './http.js';
import { EXIT, verdictOf } from './outcome.js';
import { renderRun } from './render-run.js';
import { renderDeployments, renderPlan, renderReports, renderRepositories, renderRuns, renderStarted, renderWatch, shown, type WatchView } from './render.js';

export type { Output } from './follow.js';

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
}

const RUN_ROUTES: Record<RunKind, string> = { qa: '/qa', release: '/releases', deploy: '/deployments' };

/** Runs one command line and answers its exit code; all output goes to `io`, never to the process. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, io.env);
    if (parsed.kind === 'help') {
      (parsed.exitCode === 0 ? io.stdout : io.stderr).write(parsed.text);
      return parsed.exitCode;
    }
    return await execute(parsed.invocation, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${shown([`shipgate: ${error.message}`, error.hint]).join('\n')}\n`);
      return EXIT.usage;
    }
    const message = error instanceof CliError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    io.stderr.write(`${shown([`shipgate: ${message}`]).join('')}\n`);
    return EXIT.failed;
  }
}

async function execute(invocation: Invocation, io: CliIo): Promise<number> {
  const { command, json } = invocation;
  const api = new ApiClient({ baseUrl: invocation.apiUrl, token: invocation.token, ...(invocation.tokenSource ? { tokenSource: invocation.tokenSource } : {}) });
  const answer = <T>(body: T, text: (body: T) => string[]): number => {
    io.stdout.write(json ? `${visibleJson(body)}\n` : `${shown(text(body)).join('\n')}\n`);
    return EXIT.ok;
  };
  const repoPath = (repo: string) => `/repos/${encodeURIComponent(repo)}`;

  switch (command.name) {
    case 'repos':
      return answer(await api.get<{ repositories: RepositoryView[] }>('/repos'), (body) => renderRepositories(body.repositories));
    case 'reports':
      return answer(await api.get<{ reports: ReportView[]; warnings: string[] }>(`${repoPath(command.repo)}/reports`), (body) =>
        renderReports(command.repo, body.reports, body.warnings),
      );
    case 'deployments': {
      const query = command.limit === null ? '' : `?${new URLSearchParams({ limit: String(command.limit) }).toString()}`;
      return answer(await api.get<DeploymentsView>(`${repoPath(command.repo)}/deployments${query}`), (ledger) => renderDeployments(command.repo, ledger));
    }
    case 'watch': {
      const url = `${repoPath(command.repo)}/watch`;
      const body = command.action === 'show' ? await api.get<WatchView>(url) : await api.post<WatchView>(`${url}/${command.action}`, command.note ? { note: command.note } : {});
      return answer(body, renderWatch);
    }
    case 'plan': {
      const query = command.bump === null ? '' : `?${new URLSearchParams({ bump: command.bump }).toString()}`;
      return answer(await api.get<PlanView>(`${repoPath(command.repo)}/plan${query}`), (plan) => renderPlan(command.repo, plan));
    }
    case 'list': {
      const query = new URLSearchParams();
      if (command.repo !== null) query.set('repo', command.repo);
      if (command.status !== null) query.set('status', command.status);
      const search = query.size > 0 ? `?${query.toString()}` : '';
      return answer(await api.get<{ runs: RunSummary[] }>(`${RUN_ROUTES.release}${search}`), (body) => renderRuns(body.runs));
    }
    case 'retry':
    case 'rollback':
    case 'abandon': {
      const id = command.id;
      return answer(await api.post<DecisionAnswer>(`${runPath(command.kind, id)}/${command.name}`), (decided) => [
        `${id}: ${decided.accepted} accepted by ${decided.deployWorkflowId ?? 'the deployment'} (at stage "${decided.stage}")`,
        `Follow it with: shipgate status ${id} --follow`,
      ]);
    }
    case 'qa': {
      const started = await api.post<Started>(`${repoPath(command.repo)}/qa`);
      return command.follow ? followRun('qa', started.workflowId, invocation, api, io) : answer(started, (s) => renderStarted(`QA of ${command.repo}`, s));
    }
    case 'release': {
      const options = { ...(command.bump === null ? {} : { bump: command.bump }), ...(command.deploy ? {} : { deploy: false }) };
      const started = await api.post<Started>(`${repoPath(command.repo)}/releases`, options).catch((error: unknown) => {
        throw alreadyRunning(error) ?? error;
      });
      return command.follow
        ? followRun('release', started.workflowId, invocation, api, io)
        : answer(started, (s) => renderStarted(`the release of ${command.repo}`, s));
    }
    case 'status': {
      if (command.follow) return followRun(command.kind, command.id, invocation, api, io);
      const body = await api.get<object>(runPath(command.kind, command.id));
      const view = asRunView(command.kind, body);
      const verdict = verdictOf(view, formatTime);
      const decision = verdict?.kind === 'awaiting-decision' ? verdict.lines : [];
      return answer(body, () => [...renderRun(view, { running: '·', formatTime }), ...decision]);
    }
  }
}

/** Follows until the run ends or awaits a decision; the exit code says which, and how it ended. */
async function followRun(kind: RunKind, workflowId: string, invocation: Invocation, api: ApiClient, io: CliIo): Promise<number> {
  let raw: object = {};
  const display = invocation.json ? new SilentDisplay() : io.stdout.isTTY ? new TerminalDisplay(io.stdout) : new PlainDisplay(io.stdout);
  const { verdict } = await follow({
    fetchRun: async () => {
      raw = await api.get<object>(runPath(kind, workflowId));
      return asRunView(kind, raw);
    },
    intervalMs: invocation.intervalMs,
    display,
  });
  if (invocation.json) io.stdout.write(`${visibleJson(raw)}\n`);
  return verdict.exitCode;
}

function runPath(kind: RunKind, workflowId: string): string {
  return `${RUN_ROUTES[kind]}/${encodeURIComponent(workflowId)}`;
}

/** The 409 names the release already running; say how to watch it instead. */
function alreadyRunning(error: unknown): CliError | null {
  if (!(error instanceof CliError) || error.details.code !== 'SHIPGATE_RELEASE_RUNNING') return null;
  const workflowId = error.details.body?.workflowId;
  return typeof workflowId === 'string' ? new CliError(`${error.message}; follow it with: shipgate status ${workflowId} --follow`, error.details) : null;
}

/** True when this file is the program, also through the symlink npm puts on the PATH. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
