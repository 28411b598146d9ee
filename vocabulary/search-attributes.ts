import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes shipgate keeps current on its workflows (all Keyword). */
export const SEARCH_ATTRIBUTE_NAMES = [
  'ShipgateRepo',
  'ShipgateStage',
  'ShipgateVersion',
  'ShipgateOutcome',
  'ShipgateTrigger',
  'ShipgateBranch',
  'ShipgateEnvironment',
] as const;

export const RepoKey = defineSearchAttributeKey('ShipgateRepo', SearchAttributeType.KEYWORD);
export const StageKey = defineSearchAttributeKey('ShipgateStage', SearchAttributeType.KEYWORD);
export const VersionKey = defineSearchAttributeKey('ShipgateVersion', SearchAttributeType.KEYWORD);
export const OutcomeKey = defineSearchAttributeKey('ShipgateOutcome', SearchAttributeType.KEYWORD);
export const TriggerKey = defineSearchAttributeKey('ShipgateTrigger', SearchAttributeType.KEYWORD);
/** The branch a release or QA run works for (release channels); absent from runs recorded before. */
export const BranchKey = defineSearchAttributeKey('ShipgateBranch', SearchAttributeType.KEYWORD);
/**
 * The environment a run works on: an environment's own workflow, a deployment to it, and a
 * promotion run (the environment it is at); absent from runs recorded before environments.
 */
export const EnvironmentKey = defineSearchAttributeKey('ShipgateEnvironment', SearchAttributeType.KEYWORD);
