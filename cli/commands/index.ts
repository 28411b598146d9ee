/** Every command by the name it is typed as; `shipgate <name>` runs the module found here. */
import type { CommandModule, RunContext } from '../command.js';
import * as abandon from './abandon.js';
import * as approval from './approval.js';
import * as approve from './approve.js';
import * as cancel from './cancel.js';
import * as deny from './deny.js';
import * as deployments from './deployments.js';
import * as envs from './envs.js';
import * as list from './list.js';
import * as metrics from './metrics.js';
import * as notifications from './notifications.js';
import * as pin from './pin.js';
import * as plan from './plan.js';
import * as promote from './promote.js';
import * as qa from './qa.js';
import * as release from './release.js';
import * as reports from './reports.js';
import * as repos from './repos.js';
import * as retry from './retry.js';
import * as rollback from './rollback.js';
import * as skip from './skip.js';
import * as runs from './runs.js';
import * as status from './status.js';
import * as token from './token.js';
import * as unpin from './unpin.js';
import * as watch from './watch.js';
import * as whoami from './whoami.js';

/** In the order `shipgate --help` lists them. */
export const COMMANDS = {
  release,
  qa,
  plan,
  status,
  runs,
  notifications,
  list,
  retry,
  rollback,
  skip,
  abandon,
  cancel,
  reports,
  deployments,
  envs,
  metrics,
  promote,
  approve,
  deny,
  approval,
  pin,
  unpin,
  repos,
  watch,
  whoami,
  token,
};

export type CommandName = keyof typeof COMMANDS;
export type Command = ReturnType<(typeof COMMANDS)[CommandName]['parse']>;

export function isCommandName(word: string): word is CommandName {
  return Object.hasOwn(COMMANDS, word);
}

/** Runs a parsed command with the module that parsed it. */
export function runCommand(command: Command, context: RunContext): Promise<number> {
  // TypeScript cannot tie COMMANDS[command.name] to command's own member of the union;
  // the name is what parse() set, so the module is the one that made this command.
  const module = COMMANDS[command.name] as CommandModule<Command>;
  return module.run(command, context);
}
