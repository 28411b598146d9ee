export { deployWorkflow } from './deploy.js';
export { qaWorkflow } from './qa.js';
export { releaseWorkflow } from './release.js';
export { deliveryWorkflow, releaseTrainWorkflow, watchWorkflow } from './triggers.js';
export {
  approvalPageReadWorkflow,
  headReadWorkflow,
  ledgerReadWorkflow,
  planReadWorkflow,
  releaseCheckReadWorkflow,
  remoteUrlReadWorkflow,
  reportsReadWorkflow,
} from './reads.js';
export { environmentWorkflow } from './environment.js';
export { promotionWorkflow } from './promotion.js';
export { notifierWorkflow } from './notify.js';
