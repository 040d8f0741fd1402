// Checks of JSON's shape, for what the first screen reads: the exercise from the server and what
// this browser stored. zod (which the rest of the lab uses) builds its schemas when its module is
// evaluated, tens of milliseconds of a cold load's main thread before the editor can show; these
// are plain functions, built as they are called.
//
// A check is a type guard: it says whether a value has the shape, and TypeScript then knows it
// has. Objects may carry keys the check does not name; they are left as they are.

export type Check<T> = (value: unknown) => value is T;

/** The type a check accepts. */
export type Checked<C> = C extends Check<infer T> ? T : never;

export const isString: Check<string> = (value): value is string => typeof value === 'string';

export const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';

export const isNumber: Check<number> = (value): value is number =>
  typeof value === 'number' && Number.isFinite(value);

export const isInteger: Check<number> = (value): value is number => Number.isSafeInteger(value);

/** One of the given strings. */
export function oneOf<const T extends readonly string[]>(values: T): Check<T[number]> {
  return (value): value is T[number] => typeof value === 'string' && values.includes(value);
}

export function arrayOf<T>(item: Check<T>): Check<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.every((v) => item(v));
}

/** An object used as a map: any keys, every value of the given shape. */
export function recordOf<T>(item: Check<T>): Check<Record<string, T>> {
  return (value): value is Record<string, T> =>
    isPlainObject(value) && Object.values(value).every((v) => item(v));
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value): value is T | undefined => value === undefined || check(value);
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value): value is T | null => value === null || check(value);
}

type Fields = Record<string, Check<unknown>>;

/** Optional fields (`optional(...)`) may be missing; the rest must be there. */
type ObjectOf<F extends Fields> = {
  [K in keyof F as undefined extends Checked<F[K]> ? never : K]: Checked<F[K]>;
} & {
  [K in keyof F as undefined extends Checked<F[K]> ? K : never]?: Checked<F[K]>;
};

/** An object with at least these fields (its own, not inherited ones), each of its shape. */
export function objectOf<F extends Fields>(fields: F): Check<ObjectOf<F>> {
  const entries = Object.entries(fields);
  return (value): value is ObjectOf<F> =>
    isPlainObject(value) &&
    entries.every(([key, check]) => check(Object.hasOwn(value, key) ? value[key] : undefined));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
