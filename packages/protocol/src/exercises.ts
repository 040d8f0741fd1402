// Exercises as the web sees them (never the solution), and the starter of an exercise that
// continues another (continued-starter.ts, a file of its own without zod). Re-exported by index.ts.
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

export { continuedStarter } from './continued-starter.ts';
export type { PriorAttempt } from './continued-starter.ts';
