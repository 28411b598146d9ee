/** retry, rollback and abandon: one answer to a deployment that awaits a decision, told apart only by the verb. */
import type { DeployDecision } from '../vocabulary/messages.js';
import { runKindOf, type DecisionAnswer } from './api-types.js';
import {
  answer,
  runPath,
  UsageError,
  type CommandModule,
  type CommandSpec,
  type ParseInput,
  type RunContext,
} from './command.js';

export type Decision = DeployDecision;

export interface DecisionCommand<D extends Decision = Decision> {
  name: D;
  id: string;
  kind: 'release' | 'deploy';
}

export function decisionCommand<D extends Decision>(verb: D, summary: string): CommandModule<DecisionCommand<D>> {
  const spec: CommandSpec = {
    synopsis: `${verb} <release-id|deploy-id>`,
    summary,
    positional: 'release-id|deploy-id',
    options: {},
  };
  const parse = ({ positional, usage }: ParseInput): DecisionCommand<D> => {
    const kind = runKindOf(positional);
    if (kind !== 'release' && kind !== 'deploy') {
      throw new UsageError(
        `"${positional}" is not a release or deployment ID: expected release:<repo> or deploy:<repo>:<environment>`,
        usage,
      );
    }
    return { name: verb, id: positional, kind };
  };
  const run = async (command: DecisionCommand<D>, context: RunContext): Promise<number> => {
    const { id } = command;
    return answer(
      context,
      await context.api.post<DecisionAnswer>(`${runPath(command.kind, id)}/${verb}`),
      (decided) => [
        decided.publishStep
          ? `${id}: ${decided.accepted} accepted for publish step ${decided.publishStep}`
          : `${id}: ${decided.accepted} accepted by ${decided.deployWorkflowId ?? 'the deployment'} (at stage "${decided.stage}")`,
        `Follow it with: shipgate status ${id} --follow`,
      ],
    );
  };
  return { spec, parse, run };
}
