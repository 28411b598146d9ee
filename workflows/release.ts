import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ReleaseFilesInput } from '../activities/release.js';
import type { ReleasePlan } from '../activities/plan.js';
import { GIT_STEP, WAITING } from './activity-options.js';
import { deployWorkflow } from './deploy.js';
import {
  DEPLOY_DECISIONS,
  cancelRequestSignal,
  decisionSignal,
  deployStageSignal,
  parseDecision,
  releaseStateQuery,
  workflowIdFor,
  type DeployDecision,
  type Cancellation,
  type DeployResult,
  type QaResult,
  type ReleaseInput,
  type ReleaseOutcome,
  type ReleaseResult,
  type ReleaseState,
  TRIGGER_BOTS,
} from '../vocabulary/messages.js';
import { pinRun, pinShownIn, pinSummary, type RunPin } from './pinning.js';
import { promotionWorkflow } from './promotion.js';
import { failureMessage } from './failure.js';
import { Notifier } from './notify.js';
import { Publishing } from './publish.js';
import { qaWorkflow } from './qa.js';
import { lastOf, markOutcome, nowIso, showDetails, StepTracker, viewPublisher } from './run-state.js';
import { BranchKey, RepoKey, StageKey, TriggerKey, VersionKey } from '../vocabulary/search-attributes.js';

// Runs cancelled before a cancellation was recorded ended without an outcome; they replay that way.
const CANCEL_PATCH = 'cancel-records-outcome';
/**
 * The view in memo keeps the last 10 ignored signals: anyone can send them, as many as they like,
 * and a view is written to history at each change. The state query still answers all of them.
 */
const VIEW_SIGNALS_KEPT = 10;
// Pre-flight plans the version from the reads it makes anyway (no `planVersion` step, no `version`
// in the steps); runs recorded before plan in a step of their own and replay that way.
const PREFLIGHT_PLANS_PATCH = 'preflight-plans-version';
// One step writes the release files, commits and tags (`commitAndTagRelease`, the step `commit`);
// runs recorded before took three (`files`, `commit`, `tag`) and replay that way.
const ONE_STEP_PATCH = 'release-files-commit-tag-in-one';
// Release channels: the run names its branch in ShipgateBranch (a new command); runs recorded before have none.
const CHANNELS_PATCH = 'release-channels';

// Environments: a repository that lists them hands its release to `promotion:<repo>:<version>`
// instead of deploying it; runs recorded before waited for their one deployment.
const HANDOVER_PATCH = 'release-hands-over-to-environments';

/** What the release knows of its own cancellation, shared with the steps below. */
interface CancelWatch {
  cancellation: Cancellation | null;
  /** Set by the steps once they exist: the run's state and its details line. */
  state: ReleaseState | null;
  details: () => void;
  /** The run's notifications (workflows/notify.ts): routed once the run is pinned. */
  notifier: Notifier;
}

/**
 * The release orchestrator: gate, version, changelog, commit, tag, atomic push, then deploy.
 * Cancelled through Temporal (`POST /releases/:id/cancel`), it undoes its local state (the saga's
 * `undoRelease`, its QA child and deployment cancelled with it) and ends CANCELLED, its state
 * saying who asked, why, and what was undone.
 */
export async function releaseWorkflow(input: ReleaseInput): Promise<ReleaseResult> {
  const watch: CancelWatch = {
    cancellation: null,
    state: null,
    details: () => undefined,
    notifier: new Notifier(input.repoId, undefined, { event: 'release.failed', kind: 'release' }),
  };
  setHandler(cancelRequestSignal, async (request) => {
    watch.cancellation ??= { by: request.by, reason: request.reason, at: nowIso(), undone: [] };
    if (watch.state) watch.state.cancellation = watch.cancellation;
    // The deployment learns who asked too; it is cancelled with this run, and the signal must
    // outlive that cancellation, which usually comes in the same workflow task.
    const deploy = watch.state?.deploy;
    if (deploy)
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(deploy.workflowId).signal(cancelRequestSignal, request),
      ).catch(() => undefined);
  });
  const notifier = watch.notifier;
  let result: ReleaseResult;
  try {
    result = await releaseSteps(input, watch);
  } catch (error) {
    recordCancellation(error, watch);
    const state = watch.state;
    const reason = state?.reason ?? failureMessage(error);
    const what = `release${state?.version ? ` of ${state.version}` : ''}`;
    notifier.emit('release.failed', {
      summary:
        state?.outcome === 'cancelled'
          ? `${what} cancelled by ${state.cancellation?.by ?? 'Temporal'}`
          : `${what} failed at ${state?.stage ?? 'its start'}`,
      version: state?.version ?? null,
      tag: state?.tag ?? null,
      outcome: state?.outcome ?? 'failed',
      reason,
    });
    await CancellationScope.nonCancellable(() => notifier.close());
    throw error;
  }
  const ended = {
    version: result.version,
    tag: result.tag,
    outcome: result.outcome,
    reason: result.reason,
    details: result.published ? { published: result.published } : {},
  };
  if (result.outcome === 'blocked-by-qa')
    notifier.emit('release.blocked', {
      ...ended,
      summary: `QA blocked the release (context/${result.qaReport ?? '?'})`,
    });
  else if (result.outcome === 'publish-abandoned')
    notifier.emit('release.failed', { ...ended, summary: `publishing ${result.version} was abandoned` });
  else
    notifier.emit('release.finished', {
      ...ended,
      summary: `release ended: ${result.outcome}${result.version ? ` (${result.version})` : ''}`,
    });
  await notifier.close();
  return result;
}

/** A cancelled release records who asked and what was undone; any other failure passes through as it is. */
function recordCancellation(error: unknown, watch: CancelWatch): void {
  const state = watch.state;
  if (!isCancellation(error) || !state || !patched(CANCEL_PATCH)) return;
  const cancellation = watch.cancellation ?? {
    by: 'Temporal',
    reason: 'cancelled without a reason',
    at: nowIso(),
    undone: [],
  };
  state.cancellation = cancellation;
  if (state.qa?.workflowId && state.qa.outcome === null)
    cancellation.undone.push(`QA run ${state.qa.workflowId} cancelled with the release`);
  if (state.deploy && state.stage === 'deploy')
    cancellation.undone.push(`deployment ${state.deploy.workflowId} cancelled with the release`);
  state.outcome = 'cancelled';
  state.reason = `cancelled by ${cancellation.by}: ${cancellation.reason}; ${cancellation.undone.length ? `undone: ${cancellation.undone.join('; ')}` : 'nothing to undo'}`;
  state.stage = 'done';
  markOutcome('cancelled', state.version);
  watch.details();
}

async function releaseSteps(input: ReleaseInput, watch: CancelWatch): Promise<ReleaseResult> {
  const info = workflowInfo();
  const state: ReleaseState = {
    kind: 'release',
    repoId: input.repoId,
    trigger: input.trigger ?? 'manual',
    ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
    stage: 'starting',
    startedAt: nowIso(),
    version: null,
    previousVersion: null,
    tag: null,
    sourceSha: null,
    releaseCommit: null,
    qa: null,
    steps: [],
    plan: null,
    deploy: null,
    outcome: null,
    reason: null,
    ignoredSignals: [],
    cancellation: watch.cancellation,
  };
  watch.state = state;
  let pin: RunPin | null = null;
  // The view is the state (its deployment's state stays null: the API reads that from the
  // deployment's own memo), so it changes exactly when the details line does, and at each step's end.
  const publish = viewPublisher(() => ({ ...state, ignoredSignals: lastOf(state.ignoredSignals, VIEW_SIGNALS_KEPT) }));
  const details = () => {
    showDetails([
      `**Release** of \`${input.repoId}\`${state.version ? ` → **${state.version}**` : ''}${state.branch ? ` on ${state.branch} (channel ${state.channel ?? '?'})` : ''}`,
      `Stage: ${state.stage}`,
      state.qa ? `QA: ${state.qa.outcome ?? 'running'}${state.qa.report ? ` (${state.qa.report})` : ''}` : null,
      pin?.describe(),
      state.promotion ? `Promotion: ${state.promotion.workflowId} deploys it through the environments` : null,
      state.outcome ? `Outcome: **${state.outcome}** — ${state.reason ?? ''}` : null,
      state.cancellation && !state.outcome
        ? `Cancelling: asked by ${state.cancellation.by} (${state.cancellation.reason})`
        : null,
      ...(state.ignoredSignals ?? []).map(
        (i) =>
          `Ignored signal decide ${JSON.stringify(i.value)} at ${i.at}: ${i.reason}${i.expected.length ? ` (expected ${i.expected.join(' | ')})` : ''}`,
      ),
    ]);
    publish();
  };
  watch.details = details;
  const tracker = new StepTracker(
    (stage) => {
      state.stage = stage;
      details();
    },
    () => publish(),
  );
  state.steps = tracker.steps;
  setHandler(releaseStateQuery, () => state);
  // Lets the Temporal UI send a deploy decision to the release itself; it goes to the deployment,
  // read as typed ("Retry"), and whatever cannot be a decision stays visible here as well.
  const publishing = new Publishing(state, details, watch.notifier);
  setHandler(decisionSignal, async (value: unknown) => {
    // While a publish step waits, the signal is its decision: retry, abandon or "skip: <reason>".
    const refused = publishing.awaiting ? publishing.decideBySignal(value) : undefined;
    if (refused === null) return;
    const decision = refused === undefined ? parseDecision(value) : null;
    if (decision === null || !state.deploy) {
      state.ignoredSignals = [
        ...(state.ignoredSignals ?? []),
        {
          value: typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)),
          at: nowIso(),
          expected: refused === undefined ? [...DEPLOY_DECISIONS] : [],
          reason:
            refused !== undefined
              ? refused
              : decision === null
                ? `unknown decision: use ${DEPLOY_DECISIONS.join(', ')}`
                : `the release has not started its deployment yet (stage ${state.stage})`,
        },
      ];
      details();
    }
    // The same signal as before for every value, so that older runs replay; the deployment decides.
    if (state.deploy)
      await getExternalWorkflowHandle(state.deploy.workflowId).signal(
        decisionSignal,
        decision ?? (value as DeployDecision),
      );
  });
  // While it deploys, the release's ShipgateStage is its deployment's: "awaiting decision" finds both.
  setHandler(deployStageSignal, (stage) => {
    if (state.stage === 'deploy') upsertSearchAttributes([{ key: StageKey, value: stage }]);
  });
  upsertSearchAttributes([
    { key: RepoKey, value: input.repoId },
    { key: TriggerKey, value: state.trigger },
  ]);
  const finish = (outcome: ReleaseResult['outcome'], reason: string, qaReport: string | null): ReleaseResult => {
    state.outcome = outcome;
    state.reason = reason;
    state.stage = 'done';
    markOutcome(outcome, state.version);
    details();
    const result: ReleaseResult = {
      repoId: input.repoId,
      outcome,
      version: state.version,
      tag: state.tag,
      releaseCommit: state.releaseCommit,
      reason,
      qaReport,
      ...(state.promotion ? { promotion: state.promotion.workflowId } : {}),
      ...(state.publish
        ? { published: state.publish.steps.map(({ name, artifact, status }) => ({ name, artifact, status })) }
        : {}),
    };
    publish(result);
    return result;
  };

  const pinned = await tracker.run(
    'pin',
    () => pinRun(input.repoId, { summary: `pin ${input.repoId} to one worker` }),
    pinSummary,
  );
  // The pin moves when its worker is lost (url repositories): every step asks it for its activities.
  pin = pinShownIn(state, pinned, input.repoId, details);
  const local = () => pin.activities(GIT_STEP);
  // The branch released, as the pinned settings name it: every step that opens the working copy
  // is told (`branch`), so it fetches, plans, commits, leases and pushes that branch. A branch
  // that is not configured is found by pre-flight, which fails SHIPGATE_UNKNOWN_BRANCH before
  // anything is written. The workflow ID stays release:<repo>: one working copy per repository,
  // so releases of one repository run one at a time, whatever their branch.
  const onBranch = input.branch ? { branch: input.branch } : {};
  const branches = pin.current.settings.branches;
  const line = branches
    ? input.branch
      ? branches.find((b) => b.name === input.branch)
      : branches.find((b) => b.kind === 'release')
    : undefined;
  if (branches) {
    state.branch = input.branch ?? line?.name ?? pin.current.settings.branch;
    if (line) state.channel = line.channel;
    if (patched(CHANNELS_PATCH)) {
      upsertSearchAttributes([{ key: BranchKey, value: state.branch }]);
      details();
    }
  }
  const branchName = state.branch ?? pin.current.settings.branch;
  watch.notifier.route(pin.current.settings.notify);
  watch.notifier.emit('release.started', {
    summary: `release of ${input.repoId} from ${branchName} started (${state.trigger}${input.requestedBy ? `, by ${input.requestedBy}` : ''})`,
    details: {
      trigger: state.trigger,
      branch: branchName,
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    },
  });

  let releasedAt = '';
  const preflightPlans = patched(PREFLIGHT_PLANS_PATCH);
  if (preflightPlans) releasedAt = nowIso();
  const preflight = await tracker.run(
    'preflight',
    () =>
      pin.step('preflight', () =>
        local().preflight.executeWithOptions(
          {
            summary: `pre-flight of ${input.repoId}: clean tree, release branch, remote, approval${preflightPlans ? ', next version' : ''}`,
          },
          [
            {
              repoId: input.repoId,
              ...onBranch,
              ...(preflightPlans ? { plan: { override: input.bump, releasedAt } } : {}),
            },
          ],
        ),
      ),
    (p) => (p.plan ? `${p.approval.reason}; ${p.plan.reason}` : p.approval.reason),
  );
  state.sourceSha = preflight.sha;
  state.previousVersion = preflight.lastRelease?.version ?? null;
  // The worker whose working copy holds the release so far; when the pin moves off it, the new
  // worker's clone is brought to the workflow's SHAs first (`resumeRelease`).
  let preparedOn = pin.current.taskQueue;
  /**
   * Brings the current worker's clone to the source commit, without what another run left there;
   * with the tag, the remote says whether the lost worker's push landed (then that is the release).
   */
  const prepare = async (tag: string | null, evidence: string[]) => {
    const resumed = await tracker.run(
      'resume',
      () =>
        pin.step('resume', () =>
          local().resumeRelease.executeWithOptions(
            { summary: `take over the release of ${input.repoId} on worker ${pin.current.workerId}` },
            [{ repoId: input.repoId, ...onBranch, sourceSha: preflight.sha, tag, evidence }],
          ),
        ),
      (r) => r.reason,
    );
    preparedOn = pin.current.taskQueue;
    return resumed;
  };

  /** QA of the source commit as a child on the release's worker; the release follows it if it moved. */
  const gate = async (): Promise<QaResult> => {
    const qa = await tracker.run(
      'qa',
      () => runQa(input.repoId, preflight.sha, info.taskQueue, pin, state, input.branch),
      (r) => `${r.outcome}: ${r.report}`,
    );
    state.qa = { workflowId: state.qa?.workflowId ?? null, outcome: qa.outcome, report: qa.report, reused: qa.reused };
    // The report is in the working copy of the worker QA ended on, which goes on with the release.
    if (pin.follow(qa.worker, 'qa')) await prepare(null, []);
    return qa;
  };

  const planVersion = async () => {
    releasedAt = nowIso();
    const planned = await tracker.run(
      'version',
      () =>
        pin.step('version', () =>
          local().planVersion.executeWithOptions(
            { summary: `next version of ${input.repoId}${input.bump ? ` (${input.bump})` : ''}` },
            [{ repoId: input.repoId, ...onBranch, sha: preflight.sha, override: input.bump, releasedAt }],
          ),
        ),
      (p) => p.reason,
    );
    state.plan = { bump: planned.bump, reason: planned.reason, commits: planned.commitCount };
    return planned;
  };
  let approval: string | null = preflight.approval.fresh ? preflight.approval.report : null;
  // Planned before QA: a commit range with nothing releasable ends here, not after minutes of tests.
  const planned = preflight.plan ?? (patched('plan-before-qa') ? await planVersion() : null);
  if (preflight.plan)
    state.plan = { bump: preflight.plan.bump, reason: preflight.plan.reason, commits: preflight.plan.commitCount };
  if (planned?.version === null)
    return finish('nothing-to-release', approval ? planned.reason : `${planned.reason}; QA was not run`, approval);
  if (approval) {
    state.qa = { workflowId: null, outcome: 'test-pass', report: approval, reused: true };
  } else {
    const qa = await gate();
    if (qa.outcome !== 'test-pass')
      return finish('blocked-by-qa', `QA did not pass: ${qa.outcome} (context/${qa.report}): ${qa.reason}`, qa.report);
    approval = qa.report;
  }

  const plan = planned ?? (await planVersion());
  if (plan.version === null) return finish('nothing-to-release', plan.reason, approval);
  state.version = plan.version;
  state.tag = plan.tag;
  upsertSearchAttributes([{ key: VersionKey, value: plan.version }]);

  const version = plan.version;
  const tag = plan.tag;
  // The approving report and every other report not yet committed: the repository keeps the trail.
  let evidence = [...new Set([approval, ...(preflight.untrackedReports ?? [])])];
  let releaseCommit: string | null = null;
  const oneStep = patched(ONE_STEP_PATCH);
  while (releaseCommit === null) {
    if (pin.current.taskQueue !== preparedOn) {
      // Another worker took the release over: it goes on from the lost step with its own clone.
      const resumed = await prepare(tag, evidence);
      if (resumed.adopted) {
        releaseCommit = resumed.adopted;
        state.releaseCommit = releaseCommit;
        break;
      }
      if (resumed.missing.includes(approval)) {
        // The approving report stayed on the lost worker; nothing is released without evidence,
        // so QA runs again here, and the gate is as hard as the first time.
        const qa = await gate();
        if (qa.outcome !== 'test-pass')
          return finish(
            'blocked-by-qa',
            `QA did not pass on worker ${pin.current.workerId} after worker ${pin.repins.at(-1)?.from ?? '?'} was lost: ${qa.outcome} (context/${qa.report}): ${qa.reason}`,
            qa.report,
          );
        approval = qa.report;
      }
      evidence = [...new Set([approval, ...evidence.filter((name) => !resumed.missing.includes(name))])];
      if (pin.current.taskQueue !== preparedOn) continue;
    }
    const files: ReleaseFilesInput = {
      repoId: input.repoId,
      ...onBranch,
      sourceSha: preflight.sha,
      version,
      tag,
      releasedAt,
      changelogEntry: plan.changelogEntry,
      evidence,
    };
    try {
      let made: string;
      if (oneStep) {
        const done = await tracker.run(
          'commit',
          () =>
            local().commitAndTagRelease.executeWithOptions(
              { summary: `write the release files, commit chore(release): ${tag} and tag ${tag}` },
              [files],
            ),
          (c) =>
            [
              c.written.length ? `wrote ${c.written.join(', ')}` : 'files already written',
              `${c.committed ? 'committed' : 'commit already made:'} ${c.releaseCommit.slice(0, 7)}`,
              c.tagged ? `created ${tag}` : `${tag} already there`,
            ].join('; '),
        );
        made = done.releaseCommit;
        state.releaseCommit = made;
      } else {
        await tracker.run(
          'files',
          () =>
            local().writeReleaseFiles.executeWithOptions(
              { summary: `write CHANGELOG.md and version files for ${version}` },
              [files],
            ),
          (w) => (w.written.length ? `wrote ${w.written.join(', ')}` : 'already written'),
        );
        const { releaseCommit: committed } = await tracker.run(
          'commit',
          () => local().commitRelease.executeWithOptions({ summary: `commit chore(release): ${tag}` }, [files]),
          (c) => c.releaseCommit.slice(0, 7),
        );
        made = committed;
        state.releaseCommit = made;
        await tracker.run(
          'tag',
          () =>
            local().tagRelease.executeWithOptions({ summary: `annotated tag ${tag}` }, [
              { repoId: input.repoId, ...onBranch, tag, releaseCommit: made, message: plan.changelogEntry },
            ]),
          (t) => (t.created ? `created ${tag}` : `${tag} already there`),
        );
      }
      await tracker.run(
        'push',
        () =>
          local().pushRelease.executeWithOptions({ summary: `atomic push of ${branchName} and ${tag}` }, [
            {
              repoId: input.repoId,
              ...onBranch,
              tag,
              releaseCommit: made,
              sourceSha: preflight.sha,
              expectedRemoteSha: preflight.remoteSha,
            },
          ]),
        (p) => (p.pushed ? 'pushed branch and tag atomically' : 'already pushed'),
      );
      releaseCommit = made;
      pin.arrived();
    } catch (error) {
      // A lost worker is not the step's failure: the run goes on from the lost step, on a live
      // worker (which resumes above) or, for a path repository, on the same one when it returns.
      if (await pin.recover(error, tracker.steps.at(-1)?.name ?? 'files')) continue;
      // A step that failed for good leaves nothing behind: no release commit, no local tag, so the
      // next release starts from the source commit and makes exactly one release commit.
      if (patched('undo-failed-release')) {
        const undone = await undoRelease(local(), input.repoId, tag, preflight.sha, tracker, input.branch);
        if (undone && isCancellation(error)) watch.cancellation?.undone.push(undone);
      }
      throw error;
    }
  }
  const released = `${tag} released from ${preflight.sha.slice(0, 7)} (${plan.reason})`;
  watch.notifier.emit('release.released', {
    summary: `${tag} released: branch and tag pushed`,
    version,
    tag,
    reason: released,
    details: {
      releaseCommit,
      sourceSha: preflight.sha,
      bump: plan.bump,
      changelog: plan.changelogEntry.slice(0, 4000),
    },
  });
  // After the push, before any deployment: the configured publish steps (workflows/publish.ts).
  const publishedTo = await publishing.run(pin.current.settings.publish, pin, tracker, {
    repoId: input.repoId,
    version,
    tag,
    sha: releaseCommit,
    previousVersion: state.previousVersion,
  });
  if (publishedTo.abandoned) {
    const { step, by, reason } = publishedTo.abandoned;
    return finish(
      'publish-abandoned',
      `${released}; publish step ${step} abandoned by ${by} (${reason}); ${tag} stays pushed, nothing was deployed`,
      approval,
    );
  }
  const deploySettings = pin.current.settings.deploy;
  if (input.deploy === false || !deploySettings) return finish('released', released, approval);
  // A prerelease or maintenance branch deploys only when its settings say so (`deploy: true`).
  if (line && !line.deploy)
    return finish(
      'released',
      `${released}; not deployed: deploys are off for ${line.kind} branch ${line.name} (channel ${line.channel}); set deploy: true on it in branches to deploy its releases`,
      approval,
    );

  // A repository with environments hands the version over and ends: its promotion run deploys it
  // to each environment in turn, for as long as that takes, and outlives the release.
  if (pin.current.settings.promotes && patched(HANDOVER_PATCH))
    return finish('released', await handOver(input, state, pin, released, version, plan), approval);

  const deployId = workflowIdFor('deploy', input.repoId, deploySettings.environment);
  state.deploy = { workflowId: deployId, state: null };
  const deployed = await tracker.run(
    'deploy',
    async (): Promise<DeployResult> => {
      try {
        const child = await startChild(deployWorkflow, {
          workflowId: deployId,
          taskQueue: info.taskQueue,
          args: [
            {
              repoId: input.repoId,
              version,
              trigger: state.trigger,
              pinnedTaskQueue: pin.current.taskQueue,
              lostWorkerAfterMs: pin.lostAfterMs,
              release: {
                tag,
                sha: releaseCommit,
                previous: preflight.lastRelease
                  ? { version: preflight.lastRelease.version, tag: preflight.lastRelease.tag }
                  : null,
              },
            },
          ],
          staticSummary: `Deploy ${input.repoId} ${plan.version} to ${deploySettings.environment}`,
        });
        return await child.result();
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        return {
          repoId: input.repoId,
          environment: deploySettings.environment,
          version: plan.version,
          outcome: 'failed',
          attempts: 0,
          report: null,
          reason: `another deployment to ${deploySettings.environment} is in progress (${deployId}); deploy ${plan.version} with POST /repos/${input.repoId}/deployments when it ends`,
        };
      }
    },
    (d) => `${d.outcome}: ${d.reason}`,
  );
  const outcomes: Record<DeployResult['outcome'], ReleaseOutcome> = {
    deployed: 'deployed',
    'rolled-back': 'rolled-back',
    abandoned: 'abandoned',
    failed: 'deploy-failed',
  };
  return finish(outcomes[deployed.outcome], `${released}; ${deployed.reason}`, approval);
}

/**
 * Starts the version's promotion run, which deploys it through the environments, and answers the
 * release's reason. ABANDON: the promotion soaks and waits for people long after the release ends.
 * A promotion of this version already running (the release replayed its handover) is the one.
 */
async function handOver(
  input: ReleaseInput,
  state: ReleaseState,
  pin: RunPin,
  released: string,
  version: string,
  plan: Pick<ReleasePlan, 'authors' | 'firstCommitAt'>,
): Promise<string> {
  const info = workflowInfo();
  const workflowId = workflowIdFor('promotion', input.repoId, version);
  state.promotion = { workflowId };
  const environments = pin.current.settings.environments ?? [];
  try {
    await startChild(promotionWorkflow, {
      workflowId,
      taskQueue: info.taskQueue,
      args: [
        {
          repoId: input.repoId,
          version,
          trigger: state.trigger,
          requestedBy: info.workflowId,
          release: { workflowId: info.workflowId, runId: info.runId },
          // Who started it never approves it: a person, else the bot of its trigger (`api` by hand).
          startedBy: input.requestedBy ?? (state.trigger === 'manual' ? 'api' : TRIGGER_BOTS[state.trigger]),
          // From the plan, which read the commits anyway: no command more for them.
          authors: plan.authors ?? [],
          firstCommitAt: plan.firstCommitAt ?? null,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: RepoKey, value: input.repoId },
        { key: VersionKey, value: version },
      ],
      staticSummary: `Promote ${input.repoId} ${version} through ${environments.map((e) => e.name).join(', ')}`,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  const [first, ...rest] = environments.map((e) => e.name);
  return `${released}; ${workflowId} deploys it to ${first ?? 'its first environment'}${rest.length ? `, then ${rest.join(', then ')}` : ''}`;
}

/**
 * The saga's compensation: undoes what the release did locally, even when the run is being
 * cancelled. The step's own failure is what the run reports, so a failed undo is only logged.
 */
async function undoRelease(
  local: ActivityInterfaceFor<Activities>,
  repoId: string,
  tag: string,
  sourceSha: string,
  tracker: StepTracker,
  branch: string | undefined,
): Promise<string | null> {
  try {
    const undone = await CancellationScope.nonCancellable(() =>
      tracker.run(
        'undo',
        () =>
          local.undoRelease.executeWithOptions({ summary: `undo the local release ${tag} of ${repoId}` }, [
            { repoId, ...(branch ? { branch } : {}), tag, sourceSha },
          ]),
        (u) => u.reason,
      ),
    );
    return undone.reason;
  } catch (error) {
    log.warn('the failed release could not be undone', { repoId, tag, error: (error as Error).message });
    return `the local release ${tag} could not be undone: ${(error as Error).message}`;
  }
}

/** QA as a child (`qa:<repo>:<sha>`); if one is already running for the commit, wait for that one. */
async function runQa(
  repoId: string,
  sha: string,
  taskQueue: string,
  pin: RunPin,
  state: ReleaseState,
  branch: string | undefined,
): Promise<QaResult> {
  const workflowId = workflowIdFor('qa', repoId, sha);
  state.qa = { workflowId, outcome: null, report: null, reused: false };
  try {
    const child = await startChild(qaWorkflow, {
      workflowId,
      taskQueue,
      args: [
        {
          repoId,
          sha,
          ...(branch ? { branch } : {}),
          trigger: state.trigger,
          pinnedTaskQueue: pin.current.taskQueue,
          lostWorkerAfterMs: pin.lostAfterMs,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `QA of ${repoId} at ${sha.slice(0, 7)} for a release`,
    });
    return await child.result();
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return pin.step('qa', () => pin.activities(WAITING).awaitWorkflowResult<QaResult>({ workflowId }));
    }
    throw error;
  }
}
