import type { PromotionInput, PromotionResult } from '../vocabulary/environments.js';

/** Takes one released version through the environments (see vocabulary/environments.ts). */
export async function promotionWorkflow(input: PromotionInput): Promise<PromotionResult> {
  throw new Error(`not built yet: ${input.version}`);
}
