import { decisionCommand } from '../decision.js';

export const { spec, parse, run } = decisionCommand(
  'rollback',
  'Roll a deployment that awaits a decision back to the previous version',
);
