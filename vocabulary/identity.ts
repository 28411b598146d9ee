/*
 * Who calls shipgate, and what each role may do. The API resolves a bearer token to an identity;
 * every change it asks for carries the identity's name, so the workflow history, the ledger, the
 * reports and the logs say who made it. Workflows import this file too, so it stays pure.
 */

/**
 * - `viewer`: reads everything, changes nothing;
 * - `releaser`: also starts QA runs, releases, deployments and promotions, and decides on deployments;
 * - `approver`: reads, and approves or denies promotions (nothing else: approving is a separate duty);
 * - `admin`: everything, including pins, freeze and approval overrides, and cancels.
 */
export const ROLES = ['viewer', 'releaser', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs: each route of the API names one (see api/auth.ts). */
export const ACTIONS = ['read', 'run', 'approve', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

const ALLOWED: Record<Role, readonly Action[]> = {
  viewer: ['read'],
  releaser: ['read', 'run'],
  approver: ['read', 'approve'],
  admin: ['read', 'run', 'approve', 'admin'],
};

export function roleAllows(role: Role, action: Action): boolean {
  return ALLOWED[role].includes(action);
}

/** The roles that may take an action, for an error that says who could. */
export function rolesAllowing(action: Action): Role[] {
  return ROLES.filter((role) => roleAllows(role, action));
}

/** How a token's holder is named: in approvals, the ledger, reports and logs. */
export const IDENTITY_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$';

/** The holder of an API token. */
export interface Identity {
  name: string;
  role: Role;
  /** The git author names and emails this person commits as; empty when none are configured. */
  authors: string[];
}

/** The identity of the single-token setup (`SHIPGATE_API_TOKEN` or the token printed at start): one admin. */
export const SINGLE_TOKEN_IDENTITY: Identity = { name: 'admin', role: 'admin', authors: [] };

/** The activity header that carries the name of who asked for the run (workflows/interceptors.ts). */
export const REQUESTED_BY_HEADER = 'shipgate-requested-by';
