import { Type } from 'typebox';
import { DEPLOY_DECISIONS } from '../../vocabulary/messages.js';

/** Sent to a release or to a deployment directly: both routes pass it on to the deployment. */
export const Decision = Type.Enum(DEPLOY_DECISIONS, {
  description: 'What the deployment that awaits a decision does next',
});
