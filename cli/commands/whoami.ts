import { answer, type CommandSpec, type RunContext } from '../command.js';

export interface WhoamiCommand {
  name: 'whoami';
}

/** What `GET /whoami` answers. */
export interface WhoamiAnswer {
  name: string;
  role: string;
  shared: boolean;
}

export const spec: CommandSpec = {
  synopsis: 'whoami [--json]',
  summary: 'Who the API token belongs to: the name changes are recorded under, and the role',
  positional: null,
  options: {},
};

export function parse(): WhoamiCommand {
  return { name: 'whoami' };
}

export async function run(_command: WhoamiCommand, context: RunContext): Promise<number> {
  return answer(context, await context.api.get<WhoamiAnswer>('/whoami'), renderWhoami);
}

export function renderWhoami(who: WhoamiAnswer): string[] {
  return [
    `${who.name} (${who.role})`,
    ...(who.shared
      ? ['the single shared token: what it changes is recorded as the name a request gives, else admin']
      : []),
  ];
}
