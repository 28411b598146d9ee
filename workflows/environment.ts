import type { EnvironmentInput } from '../vocabulary/environments.js';

/** The long-lived workflow that owns one environment (see vocabulary/environments.ts). */
export async function environmentWorkflow(input: EnvironmentInput): Promise<void> {
  throw new Error(`not built yet: ${input.environment}`);
}
