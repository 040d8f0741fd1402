// GET /api/exercises and /api/exercises/:id. The solution never leaves the server: only the
// fields named here are sent.
import { helperDocs } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import type { ExerciseDetail, ExerciseSummary } from '@ebpf-lab/protocol';
import { Router } from 'express';
import { HttpError } from '../../http-error.ts';

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

export function toDetail(exercise: Exercise): ExerciseDetail {
  return {
    ...toSummary(exercise),
    instructions: exercise.instructions,
    starter: exercise.starter,
    helpers: helperDocs(exercise.meta.helpers),
    checks: exercise.meta.checks.map((c) => ({ id: c.id, title: c.title, required: c.required })),
    ...(exercise.continues ? { continues: exercise.continues } : {}),
  };
}

export function createExercisesRouter(deps: { exercises: Map<string, Exercise> }): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json([...deps.exercises.values()].map(toSummary));
  });
  router.get('/:id', (req, res) => {
    const exercise = deps.exercises.get(req.params.id);
    if (!exercise) throw new HttpError(404, `There is no exercise "${req.params.id}".`);
    res.json(toDetail(exercise));
  });
  return router;
}
