import type { RawCommit } from '../../../domain/commits.js';

/** The commit just before the range, which no test lists. */
export const OUTSIDE = 'f'.repeat(40);

/** A deterministic, random-looking 40-hex SHA, unique per n (a multiplicative hash spreads the prefixes like real SHAs). */
export function shaFor(n: number): string {
  const mixed = (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return mixed + n.toString(16).padStart(8, '0') + '0'.repeat(24);
}

/** A commit numbered n whose message is `message`: the first line is the subject, the rest the body. */
export function commit(n: number, message: string, parents: string[] = [OUTSIDE]): RawCommit {
  const [subject = '', ...rest] = message.split('\n');
  return {
    sha: shaFor(n),
    parents,
    subject,
    body: rest.join('\n').trim(),
    committedAt: new Date(Date.UTC(2025, 9, 13, 0, 0, n)).toISOString(),
  };
}
