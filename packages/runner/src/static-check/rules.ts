// The static rules of an exercise: its sections and limits, plus each section's record size
// read from tracefs on this kernel.
import type { ExerciseMeta } from '@ebpf-lab/exercises';
import type { StaticRules } from './check.ts';
import { contextSizes } from './tracefs.ts';

export async function rulesFor(meta: Pick<ExerciseMeta, 'sections' | 'limits'>): Promise<StaticRules> {
  return {
    sections: meta.sections,
    contextSizes: await contextSizes(meta.sections),
    limits: meta.limits,
  };
}
