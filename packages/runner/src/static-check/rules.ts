// The static rules of an exercise: its sections and limits, plus each section's record size
// read from tracefs on this kernel.
import type { StaticLimits, StaticRules } from './check-types.ts';
import { contextSizes } from './tracefs.ts';

/** `meta` is an exercise's ExerciseMeta (or anything with its sections and limits). */
export async function rulesFor(meta: {
  sections: readonly string[];
  limits: StaticLimits;
}): Promise<StaticRules> {
  return {
    sections: meta.sections,
    contextSizes: await contextSizes(meta.sections),
    limits: meta.limits,
  };
}
