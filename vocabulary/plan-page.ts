/**
 * The pages of a plan's commit list, as the worker cuts them and the API asks for them: 100
 * commits unless asked, never more than 1000.
 */
export const PLAN_PAGE = { defaultLimit: 100, maxLimit: 1000 } as const;

/** `<sha>.<offset>`: the commit a plan was made at, and the offset of a page's first commit. */
export const PLAN_CURSOR = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\.(\d{1,9})$/;

export function planCursor(sha: string, offset: number): string {
  return `${sha}.${offset}`;
}

/** The commit and offset a cursor names, or null when it is not one. */
export function readPlanCursor(cursor: string): { sha: string; offset: number } | null {
  const [, sha, offset] = PLAN_CURSOR.exec(cursor) ?? [];
  return sha && offset ? { sha, offset: Number(offset) } : null;
}
