// The code an exercise opens with when nothing is saved for it: the starter, or, for an exercise
// that continues another, the student's own best passing code of that one with the new TODO.
import { continuedStarter } from '@ebpf-lab/protocol/continued-starter';
import type { ExerciseDetail } from '@ebpf-lab/protocol';
import { attemptsOf } from '../storage/progress.ts';

export function startingCode(exercise: ExerciseDetail): string {
  if (!exercise.continues) return exercise.starter;
  const attempts = attemptsOf(exercise.continues.exercise).map((a) => ({
    code: a.code,
    status: a.status,
    passedChecks: a.passedChecks,
    at: a.at,
  }));
  return continuedStarter(exercise.continues.append, attempts) ?? exercise.starter;
}
