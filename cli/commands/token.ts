import { createHash, randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { IDENTITY_NAME_PATTERN, ROLES, type Role } from '../../vocabulary/identity.js';
import { UsageError, type CommandSpec, type ParseInput, type RunContext } from '../command.js';
import { EXIT } from '../outcome.js';

export interface TokenCommand {
  name: 'token';
  holder: string;
  role: Role;
  authors: string[];
}

/** 32 random bytes: far beyond guessing, and still short enough to paste. */
const TOKEN_BYTES = 32;

const NAME = new RegExp(IDENTITY_NAME_PATTERN);

export const spec: CommandSpec = {
  synopsis: `token create --name <name> --role <${ROLES.join('|')}> [--author <email or name>]... [--json]`,
  summary: 'Make an API token for a person or bot: prints it once, with the api.tokens entry (its hash) to configure',
  positional: 'create',
  options: {
    name: {
      type: 'string',
      value: '<name>',
      description: 'Who holds it, as the ledger, reports and logs will name them (letters, digits, . _ @ + -)',
    },
    role: {
      type: 'string',
      value: `<${ROLES.join('|')}>`,
      description: 'What the holder may do: read, run, approve, or everything (admin)',
    },
    author: {
      type: 'string',
      value: '<email or name>',
      multiple: true,
      description: "A git author name or email the holder commits as (approvals refuse an author's own release)",
    },
  },
};

export function parse({ positional, str, list, usage }: ParseInput): TokenCommand {
  if (positional !== 'create') throw new UsageError(`"shipgate token" knows only "create", got "${positional}"`, usage);
  const holder = str('name');
  if (holder === null) throw new UsageError('"shipgate token create" needs --name <name>', usage);
  if (!NAME.test(holder))
    throw new UsageError(
      `--name must be 1 to 64 letters, digits or . _ @ + -, starting with a letter or digit, got "${holder}"`,
      usage,
    );
  const role = str('role');
  if (role === null) throw new UsageError(`"shipgate token create" needs --role <${ROLES.join('|')}>`, usage);
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${role}"`, usage);
  const authors = list('author').map((author) => author.trim());
  if (authors.some((author) => author === '' || author.length > 200))
    throw new UsageError('--author must be a name or email of 1 to 200 characters', usage);
  return { name: 'token', holder, role, authors };
}

function isRole(word: string): word is Role {
  return (ROLES as readonly string[]).includes(word);
}

export interface CreatedToken {
  name: string;
  role: Role;
  token: string;
  /** As `api.tokens[].hash` takes it: `sha256:<hex>`. */
  hash: string;
  authors: string[];
}

/** A fresh token and the hash the configuration keeps of it; the token itself is kept nowhere. */
export function createToken(holder: { name: string; role: Role; authors: string[] }): CreatedToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const hash = `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
  return { name: holder.name, role: holder.role, token, hash, authors: holder.authors };
}

/** The entry to paste under `api.tokens:`, as one item of that list. */
export function configEntry(created: CreatedToken): string {
  return stringify([{ name: created.name, role: created.role, hash: created.hash, authors: created.authors }]);
}

export async function run(command: TokenCommand, context: RunContext): Promise<number> {
  // Made here, not by the server: the token never travels, and the server only ever sees its hash.
  const created = createToken({ name: command.holder, role: command.role, authors: command.authors });
  const { stdout } = context.io;
  if (context.json) {
    const { name, role, token, hash } = created;
    stdout.write(`${JSON.stringify({ name, role, token, hash })}\n`);
    return EXIT.ok;
  }
  const entry = configEntry(created)
    .trimEnd()
    .split('\n')
    .map((line) => `      ${line}`);
  stdout.write(
    [
      `Token for ${created.name} (${created.role}):`,
      '',
      `  ${created.token}`,
      '',
      'It is not shown again and is stored nowhere: hand it to its holder now.',
      'Add this entry under api.tokens in the configuration, then restart the API:',
      '',
      '  api:',
      '    tokens:',
      ...entry,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
