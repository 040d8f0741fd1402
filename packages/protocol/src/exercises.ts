// Exercises as the web sees them (never the solution), and the starter of an exercise that
// continues another. Re-exported by index.ts; the web's first page imports this file alone, so it
// builds these few schemas rather than every one of the protocol.
import { z } from 'zod';

export const ExerciseSummary = z.object({
  id: z.string(),
  chapter: z.number().int(),
  chapterTitle: z.string(),
  order: z.number().int(),
  title: z.string(),
  summary: z.string(),
});
export type ExerciseSummary = z.infer<typeof ExerciseSummary>;

export const HelperDoc = z.object({
  name: z.string(),
  signature: z.string(),
  description: z.string(),
});
export type HelperDoc = z.infer<typeof HelperDoc>;

export const ExerciseDetail = ExerciseSummary.extend({
  instructions: z.string(), // Markdown
  starter: z.string(),
  helpers: z.array(HelperDoc),
  checks: z.array(z.object({ id: z.string(), title: z.string(), required: z.boolean() })),
  /**
   * The exercise continues another: a student who passed `exercise` starts from their own best
   * passing code with `append` (the new TODO) added, rather than from `starter`.
   */
  continues: z.object({ exercise: z.string(), append: z.string() }).optional(),
});
export type ExerciseDetail = z.infer<typeof ExerciseDetail>;

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
