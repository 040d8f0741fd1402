// How a problem is named to a person: the first thing zod found wrong in a value (the one they
// fix first), and the short id that ties a message "the lab failed" to the log line behind it.
import type { z } from 'zod';

export interface FirstIssue {
  /** The path to the bad field, e.g. `['checks', 0, 'kind']`; empty for the whole value. */
  path: PropertyKey[];
  /** The path joined with dots (`checks.0.kind`); empty for the whole value. */
  field: string;
  message: string;
}

/** The first problem zod reports, with its path as `a.b.0`. */
export function firstIssue(error: z.ZodError): FirstIssue {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  return { path, field: path.map(String).join('.'), message: issue?.message ?? 'invalid value' };
}

/** `field: message`, or the message alone when the whole value is wrong. */
export function describeFirstIssue(error: z.ZodError): string {
  const { field, message } = firstIssue(error);
  return field ? `${field}: ${message}` : message;
}

/** A new error id: 8 hex digits, shown to the person and logged as `errorId` with the error. */
export function newErrorId(): string {
  // Web Crypto: the same in Node and in the browser, which imports this package too.
  return globalThis.crypto.randomUUID().slice(0, 8);
}
