import { writeFileSync, existsSync } from 'node:fs';
import type { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import { REQUESTED_BY_HEADER } from '../vocabulary/identity.js';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';

/** Activities that heartbeat with their own progress details; a bare heartbeat would hide those. */
const SELF_HEARTBEATING = new Set(['runTests', 'runDeploy', 'awaitWorkflowResult']);
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Every activity heartbeats while it runs, so a worker that dies is noticed within the
 * heartbeat timeout instead of the much longer start-to-close timeout.
 */
export const heartbeatWhileRunning: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next) {
      // A local activity (the API's reads) has no heartbeat: the server never sees it run.
      if (SELF_HEARTBEATING.has(ctx.info.activityType) || ctx.info.isLocal) return next(input);
      const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(timer);
      }
    },
  },
});

/**
 * Fault injection for the crash suite: `SHIPGATE_FAULT_KILL_AFTER=<activityType>:<marker file>`
 * kills this worker with SIGKILL right after that activity did its work and before it could
 * report back — once, the marker file remembering that it happened. Unset, it does nothing.
 */
export function killAfterActivity(spec: string | undefined): ActivityInterceptorsFactory | null {
  if (!spec) return null;
  const split = spec.indexOf(':');
  const activityType = spec.slice(0, split);
  const marker = spec.slice(split + 1);
  if (split <= 0 || !marker)
    throw new Error(`SHIPGATE_FAULT_KILL_AFTER must be <activityType>:<marker file>, got ${JSON.stringify(spec)}`);
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        if (ctx.info.activityType === activityType && !existsSync(marker)) {
          writeFileSync(marker, `${ctx.info.workflowExecution?.workflowId ?? '?'} ${ctx.info.attempt}\n`);
          process.kill(process.pid, 'SIGKILL');
        }
        return result;
      },
    },
  });
}

/** One structured line per activity attempt, carrying the workflow and run IDs it belongs to. */
export function logActivities(logger: Logger): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const by = requestedBy(input.headers[REQUESTED_BY_HEADER]);
        const fields = {
          activity: ctx.info.activityType,
          attempt: ctx.info.attempt,
          workflowId: ctx.info.workflowExecution?.workflowId,
          runId: ctx.info.workflowExecution?.runId,
          ...(by === null ? {} : { by }),
        };
        const started = Date.now();
        try {
          const result = await next(input);
          logger.info({ ...fields, ms: Date.now() - started }, 'activity completed');
          return result;
        } catch (error) {
          logger.warn({ ...fields, ms: Date.now() - started, err: error }, 'activity failed');
          throw error;
        }
      },
    },
  });
}

/** The name the run's workflow passed on (workflows/interceptors.ts); null without one, or one that is not a name. */
function requestedBy(payload: Parameters<typeof defaultPayloadConverter.fromPayload>[0] | undefined): string | null {
  if (payload === undefined) return null;
  try {
    const name: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof name === 'string' && name !== '' ? name.slice(0, 100) : null;
  } catch {
    return null;
  }
}
