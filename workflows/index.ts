export { qaWorkflow } from './qa.js';
