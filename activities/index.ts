import type { ActivityDeps } from './deps.js';
import { createDeployActivities } from './deploy.js';
import { createLedgerActivities } from './ledger.js';
import { createPinningActivities } from './pinning.js';
import { createQaActivities } from './qa.js';
import { createReadActivities } from './reads.js';
import { createReleaseActivities } from './release.js';
import { createRunActivities } from './runs.js';
import { createTriggerActivities } from './triggers.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPinningActivities(deps),
    ...createQaActivities(deps),
    ...createReleaseActivities(deps),
    ...createRunActivities(deps),
    ...createDeployActivities(deps),
    ...createLedgerActivities(deps),
    ...createTriggerActivities(deps),
    ...createReadActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps.js';
