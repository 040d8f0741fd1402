// GET /api/exercises and /api/exercises/:id. The solution never leaves the server: only the
// fields named here are sent.
import type { Exercise } from '@ebpf-lab/exercises';
import type { ExerciseDetail, ExerciseSummary, HelperDoc } from '@ebpf-lab/protocol';
import { Router } from 'express';
import { HttpError } from '../../http-error.ts';

export type DescribeHelper = (name: string) => HelperDoc;

/** Until a helper reference exists, a helper is listed by name only. */
export const nameOnly: DescribeHelper = (name) => ({ name, signature: '', description: '' });

export function toSummary({ meta }: Exercise): ExerciseSummary {
  return {
    id: meta.id,
    chapter: meta.chapter,
    chapterTitle: meta.chapterTitle,
    order: meta.order,
    title: meta.title,
    summary: meta.summary,
  };
}

export function toDetail(exercise: Exercise, describeHelper: DescribeHelper): ExerciseDetail {
  return {
    ...toSummary(exercise),
    instructions: exercise.instructions,
    starter: exercise.starter,
    helpers: exercise.meta.helpers.map(describeHelper),
    checks: exercise.meta.checks.map((c) => ({ id: c.id, title: c.title, required: c.required })),
  };
}

export function createExercisesRouter(deps: {
  exercises: Map<string, Exercise>;
  describeHelper?: DescribeHelper;
}): Router {
  const describeHelper = deps.describeHelper ?? nameOnly;
  const router = Router();
  router.get('/', (_req, res) => {
    res.json([...deps.exercises.values()].map(toSummary));
  });
  router.get('/:id', (req, res) => {
    const exercise = deps.exercises.get(req.params.id);
    if (!exercise) throw new HttpError(404, `There is no exercise "${req.params.id}".`);
    res.json(toDetail(exercise, describeHelper));
  });
  return router;
}
