// The starter of an exercise that continues another. A file of its own, without zod, so the web's
// first screen can use it without building the protocol's schemas.

/** What a continuing exercise needs of an earlier attempt. */
export interface PriorAttempt {
  code: string;
  status: string;
  /** Checks passed, to prefer the attempt that passed the most (bonus checks included). */
  passedChecks: number;
  /** ISO time; the newest wins a tie. */
  at: string;
}

/**
 * The starter of an exercise that continues another, for one student: their best passing attempt
 * at the earlier exercise with the new TODO appended. Undefined when they never passed it.
 */
export function continuedStarter(append: string, attempts: PriorAttempt[]): string | undefined {
  const best = attempts
    .filter((a) => a.status === 'pass')
    .sort((a, b) => b.passedChecks - a.passedChecks || b.at.localeCompare(a.at))[0];
  return best ? `${best.code.trimEnd()}\n${append}` : undefined;
}
