import { parseUtcTimestamp } from './utc-time.js';

/** Where a front-matter value broke its shape; `actual` is undefined when the field is missing. */
export interface FieldProblem {
  field: string;
  expected: string;
  actual: unknown;
}

/** Checks one value at a dotted field path; null when it is fine. */
export type FieldCheck = (value: unknown, field: string) => FieldProblem | null;

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function accepting(expected: string, accepts: (value: unknown) => boolean): FieldCheck {
  return (value, field) => (accepts(value) ? null : { field, expected, actual: value });
}

const GIT_SHA = /^[0-9a-f]{40}$/i;

export const anyString = accepting('a string', (value) => typeof value === 'string');
export const nonEmptyString = accepting('a non-empty string', (value) => typeof value === 'string' && value.trim() !== '');
export const gitSha = accepting('a 40-character hex SHA', (value) => typeof value === 'string' && GIT_SHA.test(value));
export const utcTimestamp = accepting(
  'an ISO 8601 UTC timestamp like 2025-10-13T23:45:59Z',
  (value) => typeof value === 'string' && parseUtcTimestamp(value) !== null,
);
export const count = accepting('a whole number of at least 0', (value) => Number.isSafeInteger(value) && (value as number) >= 0);
export const nonNegativeNumber = accepting(
  'a number of at least 0',
  (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
);
export const percentage = accepting(
  'a number from 0 to 100',
  (value) => typeof value === 'number' && value >= 0 && value <= 100,
);
export const boolean = accepting('true or false', (value) => typeof value === 'boolean');

export function oneOf(allowed: readonly string[]): FieldCheck {
  return accepting(`one of ${allowed.join(', ')}`, (value) => typeof value === 'string' && allowed.includes(value));
}

export function nullable(check: FieldCheck): FieldCheck {
  return (value, field) => {
    if (value === null) return null;
    const problem = check(value, field);
    return problem === null ? null : { ...problem, expected: `${problem.expected}, or null` };
  };
}

export function nonEmptyListOf(item: FieldCheck, itemsDescription: string): FieldCheck {
  return (value, field) => {
    if (!Array.isArray(value) || value.length === 0) {
      return { field, expected: `a non-empty list of ${itemsDescription}`, actual: value };
    }
    for (const [index, element] of value.entries()) {
      const problem = item(element, `${field}[${index}]`);
      if (problem !== null) return problem;
    }
    return null;
  };
}

/** A mapping with these fields; keys not named here are allowed and left alone. */
export function mapping(required: Record<string, FieldCheck>, optional: Record<string, FieldCheck> = {}): FieldCheck {
  return (value, field) => {
    if (!isPlainRecord(value)) return { field, expected: 'a mapping', actual: value };
    const pathOf = (key: string): string => (field === '' ? key : `${field}.${key}`);
    for (const [key, check] of Object.entries(required)) {
      const problem = check(Object.hasOwn(value, key) ? value[key] : undefined, pathOf(key));
      if (problem !== null) return problem;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (!Object.hasOwn(value, key)) continue;
      const problem = check(value[key], pathOf(key));
      if (problem !== null) return problem;
    }
    return null;
  };
}

export function describeProblem(problem: FieldProblem): string {
  if (problem.actual === undefined) return `missing required field "${problem.field}"`;
  const subject = problem.field === '' ? 'front matter' : `field "${problem.field}"`;
  return `${subject} must be ${problem.expected}, got ${describeValue(problem.actual)}`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (isPlainRecord(value)) return 'a mapping';
  return String(value);
}
