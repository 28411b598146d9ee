import { log, patched, proxyActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { PinResult } from '../activities/pinning.js';
import type { LostWorkerWait, Repin } from '../vocabulary/messages.js';
import { lostWorkerAfterMs, pinned, unpinned, type ActivityProfile } from './activity-options.js';
import { isLostWorker } from './lost-worker.js';
import { nowIso } from './run-state.js';

/** The patch that lets a run leave a lost worker; runs recorded before it keep waiting as they did. */
export const REPIN_PATCH = 'repin-on-lost-worker';

/** Where a run's working-copy steps go: the answer of the `pinRun` activity. */
export type Pin = PinResult;

/**
 * The bound for a child's pin on its parent's queue when the parent did not say: twice the
 * default heartbeat timeout (20 s), as `lostWorkerAfterMs` would give.
 */
const DEFAULT_LOST_AFTER_MS = lostWorkerAfterMs({ heartbeatTimeoutMs: 20_000 });

const shared = proxyActivities<Activities>(unpinned({ maximumAttempts: 5 }));

/**
 * Pins a run to one worker. Without `preferred`, any live worker on the shared queue answers.
 * With it (a child run that should use its parent's worker and working copy), the pin is asked
 * on that worker's own queue, bounded by schedule-to-start: a parent's worker that is gone would
 * otherwise leave the child waiting forever, so after the bound any live worker answers instead.
 */
export async function pinRun(
  repoId: string,
  options: { preferred?: { taskQueue: string; lostAfterMs?: number }; summary?: string } = {},
): Promise<Pin> {
  const { preferred, summary } = options;
  if (!preferred) return shared.pinRun.executeWithOptions(summary ? { summary } : {}, [{ repoId }]);
  try {
    return await shared.pinRun.executeWithOptions(
      {
        taskQueue: preferred.taskQueue,
        scheduleToStartTimeout: preferred.lostAfterMs ?? DEFAULT_LOST_AFTER_MS,
        ...(summary ? { summary } : {}),
      },
      [{ repoId }],
    );
  } catch (error) {
    if (!isLostWorker(error) || !patched(REPIN_PATCH)) throw error;
    log.warn("the parent run's worker is lost; pinning to a live worker", { repoId, lostQueue: preferred.taskQueue });
    return shared.pinRun.executeWithOptions({ summary: `pin ${repoId} to a live worker (the parent's is lost)` }, [
      { repoId },
    ]);
  }
}

/**
 * A run's pin that can move: it answers with activities on the current worker's queue, and when
 * a step finds that worker lost (`isLostWorker`) it pins the run to a live worker, records the
 * move and lets the caller go on from the lost step. A run of a `path` repository cannot move
 * (the path exists on the lost worker's host only); it waits for that worker instead.
 *
 * Why wait rather than fail: the lost host's working copy may hold a release commit or a tag
 * that only that host can undo, and a host that reboots comes back on the same queue and finishes
 * the run exactly once. The wait is visible in the run's state and details, and the operator
 * ends such a run with `shipgate cancel`.
 */
/** How a run's `pin` step reads in its steps. */
export function pinSummary(pin: Pin): string {
  return `worker ${pin.workerId}${pin.portable === false ? ' (a path repository: bound to this worker)' : ''}`;
}

/** A run's pin that keeps the run's state (`repins`, `waitingForWorker`) current and calls `shown` after each change. */
export function pinShownIn(
  state: { repins?: Repin[]; waitingForWorker?: LostWorkerWait | null },
  current: Pin,
  repoId: string,
  shown: () => void,
): RunPin {
  const pin: RunPin = new RunPin(current, repoId, () => {
    state.repins = pin.repins;
    state.waitingForWorker = pin.waiting;
    shown();
  });
  return pin;
}

export class RunPin {
  readonly repins: Repin[] = [];
  waiting: LostWorkerWait | null = null;

  /**
   * @param current the pin as `pinRun` answered
   * @param onChange called after every move or wait, to show it in the run's details
   */
  constructor(
    public current: Pin,
    private readonly repoId: string,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Activities on the current worker's queue with `profile`; ask again after a move. */
  activities(profile: ActivityProfile): ActivityInterfaceFor<Activities> {
    const options = pinned(this.current, profile);
    // Waiting for a host that must come back: no bound, the step waits on its queue as long as it takes.
    if (this.waiting) delete options.scheduleToStartTimeout;
    return proxyActivities<Activities>(options);
  }

  /** The bound a child run gets for pinning itself on this run's worker. */
  get lostAfterMs(): number {
    return lostWorkerAfterMs(this.current.settings);
  }

  /**
   * Handles the failure of a pinned step: true when the worker was lost and the run moved (or,
   * not portable, now waits for it), so the caller may run the step again; false when the
   * failure is the step's own, for the caller to handle as before.
   */
  async recover(error: unknown, step: string): Promise<boolean> {
    if (!isLostWorker(error) || !patched(REPIN_PATCH)) return false;
    const lost = this.current.workerId;
    if (this.current.portable !== true) {
      const reason = `worker ${lost} was lost at ${step}; ${this.repoId} is a path on that worker's host, so the run cannot move: it waits for ${lost} to come back (end it with shipgate cancel)`;
      this.waiting = { workerId: lost, step, since: nowIso(), reason };
      log.warn("the run's worker is lost and the repository cannot move; waiting for it", {
        repoId: this.repoId,
        workerId: lost,
        step,
      });
      this.onChange();
      return true;
    }
    const next = await pinRun(this.repoId, { summary: `re-pin ${this.repoId}: worker ${lost} was lost at ${step}` });
    this.repins.push({ from: lost, to: next.workerId, step, at: nowIso() });
    log.warn("the run's worker is lost; re-pinned to a live worker", {
      repoId: this.repoId,
      from: lost,
      to: next.workerId,
      lostQueue: this.current.taskQueue,
      queue: next.taskQueue,
      step,
    });
    this.current = next;
    this.onChange();
    return true;
  }

  /**
   * Moves the run to the worker a child run ended on (QA that had to move keeps its report
   * there): no activity, the child's worker already answered for the repository.
   */
  follow(worker: { taskQueue: string; workerId: string } | undefined, step: string): boolean {
    if (
      !worker ||
      worker.taskQueue === this.current.taskQueue ||
      this.current.portable !== true ||
      !patched(REPIN_PATCH)
    )
      return false;
    this.repins.push({ from: this.current.workerId, to: worker.workerId, step, at: nowIso() });
    log.warn('following the child run to the worker that holds its result', {
      repoId: this.repoId,
      from: this.current.workerId,
      to: worker.workerId,
      step,
    });
    this.current = { ...this.current, taskQueue: worker.taskQueue, workerId: worker.workerId };
    this.onChange();
    return true;
  }

  /**
   * Runs a step that brings along everything it needs (it checks out the SHAs it is given): when
   * its worker is lost, again on a live worker. Any other failure is the step's own.
   */
  async step<T>(step: string, body: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const result = await body();
        this.arrived();
        return result;
      } catch (error) {
        if (!(await this.recover(error, step))) throw error;
      }
    }
  }

  /** After a step succeeded: a worker the run waited for came back, and the run goes on as if it had never left. */
  arrived(): void {
    if (!this.waiting) return;
    this.waiting = null;
    this.onChange();
  }

  /** One line for a run's details: its moves, or what it waits for. */
  describe(): string | null {
    if (this.waiting) return `Waiting: ${this.waiting.reason}`;
    if (this.repins.length === 0) return null;
    return `Moved: ${this.repins.map((r) => `${r.from} → ${r.to} at ${r.step}`).join('; ')}`;
  }
}
