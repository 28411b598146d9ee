export { deployWorkflow } from './deploy.js';
export { qaWorkflow } from './qa.js';
export { releaseWorkflow } from './release.js';
export { deliveryWorkflow, releaseTrainWorkflow, watchWorkflow } from './triggers.js';
export {
  headReadWorkflow,
  ledgerReadWorkflow,
  planReadWorkflow,
  releaseCheckReadWorkflow,
  remoteUrlReadWorkflow,
  reportsReadWorkflow,
} from './reads.js';
