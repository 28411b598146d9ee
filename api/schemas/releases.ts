import { Type } from 'typebox';

/** `GET /releases?status=`: the words a person filters by, and the execution status each one asks visibility for. */
export const STATUS_FILTERS = { running: 'Running', completed: 'Completed', failed: 'Failed' } as const;
export type StatusFilter = keyof typeof STATUS_FILTERS;
export const StatusFilter = Type.Enum(Object.keys(STATUS_FILTERS) as StatusFilter[]);

/** A release override: a bump level or an explicit version; `POST /repos/:id/releases` and the plan take it. */
export const BumpOverride = Type.String({
  pattern:
    '^(major|minor|patch|v?(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z.-]{1,40})?)$',
  maxLength: 64,
  description: 'major, minor, patch, or an explicit version such as 2.0.0',
});
