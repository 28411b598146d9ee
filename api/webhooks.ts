import { createHmac, timingSafeEqual, createHash } from 'node:crypto';
import type { RepoConfig } from '../config/types.js';
import { findBranch } from '../domain/branches.js';
import { ShipgateError } from '../domain/errors.js';
import { normaliseRemoteUrl } from '../domain/remote-url.js';
import { startDeliveryRun, startQaRun } from '../client/starts.js';
import { TRIGGER_BOTS, workflowIdFor } from '../vocabulary/messages.js';
import type { ApiDeps } from './deps.js';
import { boundedChange } from './temporal-calls.js';
import { readRepositoryOnWorker } from './worker-reads.js';

export type HookAnswer =
  | { status: 'started'; workflowId: string; sha: string }
  | { status: 'duplicate'; workflowId: string; sha: string; reason: string }
  | { status: 'ignored'; reason: string }
  | { status: 'pong' };

/** What forges send as delivery IDs (UUIDs); anything else is not used in a workflow ID. */
const DELIVERY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The delivery ID a forge sent in `header`, or null when it sent none (older GitLab releases). */
export function deliveryIdOf(value: string | string[] | undefined, header: string): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !DELIVERY_ID.test(value))
    throw new ShipgateError('SHIPGATE_BAD_REQUEST', `${header} is not a delivery ID`);
  return value;
}

/**
 * The URL a forge names a repository by: the configured one, or what the local working copy's
 * remote says, which a worker reads (`remote-url:<repo>`): the working copy is on its host.
 */
async function remoteUrlOf(deps: Pick<ApiDeps, 'client' | 'config'>, repo: RepoConfig): Promise<string | null> {
  if (repo.webhook?.remoteUrl) return repo.webhook.remoteUrl;
  if (repo.source.kind === 'url') return repo.source.url;
  const { url } = await readRepositoryOnWorker(deps, 'remote-url', repo.id);
  return url;
}

/** Repositories with a webhook secret whose remote is one of the URLs the payload names. */
export async function repositoriesFor(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  urls: (string | undefined)[],
): Promise<RepoConfig[]> {
  const wanted = new Set(
    urls
      .filter((u): u is string => typeof u === 'string')
      .map(normaliseRemoteUrl)
      .filter((u): u is string => u !== null),
  );
  // Read at once: a delivery waits for the slowest remote URL, not for their sum.
  const hooked = deps.config.repositories.filter((repo) => repo.webhook);
  const remotes = await Promise.all(hooked.map((repo) => remoteUrlOf(deps, repo)));
  return hooked.filter((_repo, i) => {
    const url = remotes[i];
    const normalised = url ? normaliseRemoteUrl(url) : null;
    return normalised !== null && wanted.has(normalised);
  });
}

function secretOf(repo: RepoConfig): string {
  const secret = repo.webhook ? process.env[repo.webhook.secretEnv] : undefined;
  if (!secret)
    throw new ShipgateError(
      'SHIPGATE_BAD_SIGNATURE',
      `the server has no webhook secret for "${repo.id}" (environment variable ${repo.webhook?.secretEnv} is not set)`,
    );
  return secret;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  // Digests of equal length, so the comparison takes the same time whatever the input.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyGitHub(repo: RepoConfig, rawBody: string, header: string | undefined): void {
  if (!header || !header.startsWith('sha256='))
    throw new ShipgateError('SHIPGATE_BAD_SIGNATURE', 'X-Hub-Signature-256 is missing');
  const expected = `sha256=${createHmac('sha256', secretOf(repo)).update(rawBody, 'utf8').digest('hex')}`;
  if (!sameBytes(Buffer.from(header), Buffer.from(expected)))
    throw new ShipgateError('SHIPGATE_BAD_SIGNATURE', 'X-Hub-Signature-256 does not match the body');
}

/** GitLab: `X-Gitlab-Token` carries the secret itself. */
export function verifyGitLab(repo: RepoConfig, header: string | undefined): void {
  if (!header) throw new ShipgateError('SHIPGATE_BAD_SIGNATURE', 'X-Gitlab-Token is missing');
  if (!sameBytes(Buffer.from(header), Buffer.from(secretOf(repo))))
    throw new ShipgateError('SHIPGATE_BAD_SIGNATURE', 'X-Gitlab-Token is wrong');
}

/** Picks the candidate whose secret verifies the request; 401 when none does. */
export function verifiedRepository(candidates: RepoConfig[], verify: (repo: RepoConfig) => void): RepoConfig {
  let lastError: unknown = null;
  for (const repo of candidates) {
    try {
      verify(repo);
      return repo;
    } catch (error) {
      lastError = error;
    }
  }
  if (lastError instanceof Error) throw lastError;
  throw new ShipgateError('SHIPGATE_BAD_SIGNATURE');
}

const HEADS = 'refs/heads/';

/**
 * A push to a configured branch (the release branch, a prerelease or a maintenance branch)
 * starts QA of the pushed commit for that branch, and with `release.auto` a pass releases that
 * branch; a push to any other branch, or a tag, is acknowledged and ignored. A delivery with an
 * ID is accepted once: its replays answer `duplicate` and start nothing.
 */
export async function qaForPush(
  deps: ApiDeps,
  repo: RepoConfig,
  push: { ref: unknown; after: unknown },
  deliveryId: string | null,
): Promise<HookAnswer> {
  const { config, client } = deps;
  const ref = typeof push.ref === 'string' ? push.ref : '';
  const name = ref.startsWith(HEADS) ? ref.slice(HEADS.length) : '';
  // An empty name would be the release branch to findBranch; a push names its branch.
  const branch = name === '' ? null : findBranch(repo.branches, name);
  if (!branch)
    return {
      status: 'ignored',
      reason: `push to ${String(push.ref)}, not to a configured branch (${repo.branches.map((b) => `${HEADS}${b.name}`).join(', ')})`,
    };
  const sha = typeof push.after === 'string' ? push.after : '';
  if (!/^[0-9a-f]{40}$/.test(sha) || /^0+$/.test(sha))
    return { status: 'ignored', reason: 'the push deleted the branch or names no commit' };
  const on = { branch: branch.name, line: branch };
  if (deliveryId !== null) return acceptDelivery(deps, repo, sha, deliveryId, on);
  const answer = await boundedChange(client, () =>
    startQaRun(
      { client, taskQueue: config.temporal.taskQueue },
      {
        repoId: repo.id,
        sha,
        trigger: 'webhook',
        requestedBy: TRIGGER_BOTS.webhook,
        ...on,
      },
    ),
  );
  return { status: 'started', workflowId: answer.workflowId, sha };
}

/** Starts `delivery:<repo>:<id>`, which starts the QA run; a delivery ID seen before is refused by Temporal. */
async function acceptDelivery(
  { config, client }: ApiDeps,
  repo: RepoConfig,
  sha: string,
  deliveryId: string,
  on: Pick<Parameters<typeof startDeliveryRun>[1], 'branch' | 'line'>,
): Promise<HookAnswer> {
  const workflowId = workflowIdFor('qa', repo.id, sha);
  const answer = await boundedChange(client, () =>
    startDeliveryRun({ client, taskQueue: config.temporal.taskQueue }, { repoId: repo.id, sha, deliveryId, ...on }),
  );
  if (!answer.started)
    return {
      status: 'duplicate',
      workflowId,
      sha,
      reason: `delivery ${deliveryId} was already accepted; nothing was started`,
    };
  return { status: 'started', workflowId, sha };
}
