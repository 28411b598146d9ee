import type { ActivityDeps, ResolvedDeps } from './deps.js';
import { createDeployActivities } from './deploy.js';
import { createEnvironmentActivities } from './environments.js';
import { createLedgerActivities } from './ledger.js';
import { createNotifyActivities } from './notify.js';
import { createPinningActivities } from './pinning.js';
import { createPromotionActivities } from './promotion.js';
import { createPublishActivities } from './publish.js';
import { createQaActivities } from './qa.js';
import { createReadActivities } from './reads.js';
import { createReleaseActivities } from './release.js';
import { createRunActivities } from './runs.js';
import { createTriggerActivities } from './triggers.js';

export function createActivities(given: ActivityDeps) {
  // Defaults are resolved here, once: every factory reads the same clock.
  const deps: ResolvedDeps = { ...given, now: given.now ?? (() => new Date()) };
  return {
    ...createPinningActivities(deps),
    ...createQaActivities(deps),
    ...createReleaseActivities(deps),
    ...createRunActivities(deps),
    ...createDeployActivities(deps),
    ...createLedgerActivities(deps),
    ...createEnvironmentActivities(deps),
    ...createTriggerActivities(deps),
    ...createReadActivities(deps),
    ...createPromotionActivities(deps),
    ...createPublishActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps.js';
