import { decisionCommand } from '../decision.js';

export const { spec, parse, run } = decisionCommand('abandon', 'Give up a deployment that awaits a decision');
