/**
 * True only when A and B are one type. A property optional on one side and required on the other,
 * or present on one side only, makes it false; comparing the two as functions of T is what makes
 * TypeScript check identity rather than mere assignability.
 */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * Compiles only when the schema's static type and the interface are the same, so a field added to
 * a message in vocabulary/ and not to the schema the API serializes with (which would silently drop
 * it from every response) fails `tsc`. Written beside each schema; it does nothing at run time.
 */
export function sameShape<Schema, Interface>(proof: Same<Schema, Interface>): void {
  void proof;
}

/** One object type instead of an intersection, which `Same` would tell apart from its flat equal. */
export type Flattened<T> = { [K in keyof T]: T[K] };
