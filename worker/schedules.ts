import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Logger } from 'pino';
import type { RepoConfig, ShipgateConfig } from '../config/types.js';
import { scheduledStart } from '../client/starts.js';
import { isShipgateScheduleId, scheduleIdFor } from '../vocabulary/messages.js';

interface Wanted {
  id: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsAction;
  note: string;
}

function wantedSchedules(repo: RepoConfig, taskQueue: string): Wanted[] {
  const wanted: Wanted[] = [];
  if (repo.watch) {
    wanted.push({
      id: scheduleIdFor('watch', repo.id),
      spec: { intervals: [{ every: repo.watch.intervalMs }] },
      action: scheduledStart('watch', repo.id, taskQueue),
      note: `QA of every new commit on ${repo.branch}`,
    });
  }
  if (repo.release.schedule) {
    wanted.push({
      id: scheduleIdFor('release-train', repo.id),
      spec: {
        cronExpressions: [repo.release.schedule],
        ...(repo.release.timezone ? { timezone: repo.release.timezone } : {}),
      },
      action: scheduledStart('release-train', repo.id, taskQueue),
      note: `release train: ${repo.release.schedule}${repo.release.timezone ? ` (${repo.release.timezone})` : ''}`,
    });
  }
  return wanted;
}

/**
 * Makes the cluster's schedules match the configuration: creates or updates the watch and
 * release-train schedules of configured repositories (keeping a pause an operator set) and
 * deletes those of repositories that left the configuration.
 */
export async function reconcileSchedules(
  client: Client,
  config: ShipgateConfig,
  taskQueue: string,
  logger: Logger,
): Promise<{ kept: string[]; deleted: string[] }> {
  const wanted = config.repositories.flatMap((repo) => wantedSchedules(repo, taskQueue));
  const wantedIds = new Set(wanted.map((w) => w.id));
  for (const schedule of wanted) {
    try {
      await client.schedule.create({
        scheduleId: schedule.id,
        spec: schedule.spec,
        action: schedule.action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
        state: { note: schedule.note },
      });
      logger.info({ scheduleId: schedule.id }, 'schedule created');
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(schedule.id).update((previous) => ({
        ...previous,
        spec: schedule.spec,
        action: schedule.action,
        policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP },
      }));
    }
  }
  const deleted: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (!isShipgateScheduleId(summary.scheduleId) || wantedIds.has(summary.scheduleId)) continue;
    try {
      const handle = client.schedule.getHandle(summary.scheduleId);
      // Another shipgate (another task queue) on the same namespace owns its own schedules.
      const { action } = await handle.describe();
      if (action.type !== 'startWorkflow' || action.taskQueue !== taskQueue) continue;
      await handle.delete();
      deleted.push(summary.scheduleId);
      logger.info({ scheduleId: summary.scheduleId }, 'schedule deleted: no longer configured');
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return { kept: [...wantedIds], deleted };
}
