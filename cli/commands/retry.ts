import { decisionCommand } from '../decision.js';

export const { spec, parse, run } = decisionCommand('retry', 'Retry a deployment that awaits a decision');
