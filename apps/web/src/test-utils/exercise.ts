// A small exercise for component tests: one chapter, no helpers, no checks; only its
// instructions vary between tests.
import type { ExerciseDetail } from '@ebpf-lab/protocol';

export function testExercise(instructions: string): ExerciseDetail {
  return {
    id: 'count-opens',
    chapter: 1,
    chapterTitle: 'Reading events',
    order: 1,
    title: 'Count opens',
    summary: '',
    instructions,
    starter: '#include "lab.h"\n',
    helpers: [],
    checks: [],
  };
}
