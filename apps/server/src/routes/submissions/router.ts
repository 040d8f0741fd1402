// /api/submissions: a signed-in student's own runs and the comments instructors left on them,
// with which of those comments are still unread (the badge in the top navigation and on each
// exercise). Nobody reads anyone else's submissions here; instructors use the desk's course routes.
import { Router } from 'express';
import type { Store } from '@ebpf-lab/store';
import { HttpError } from '../../http-error.ts';
import { requireUser } from '../auth/session.ts';
import type { ExerciseCatalog } from '../instructor/exercise-catalog.ts';

export function createSubmissionsRouter(deps: {
  store: Store;
  exercises: ExerciseCatalog;
}): Router {
  const { store, exercises } = deps;
  const router = Router();
  const titleOf = (id: string) => exercises().find((e) => e.id === id)?.title ?? id;

  router.get('/api/submissions', async (req, res) => {
    const user = requireUser(req);
    const exerciseId = typeof req.query.exerciseId === 'string' ? req.query.exerciseId : undefined;
    const runs = await store.listRuns({
      userId: user.id,
      exerciseId,
      newestFirst: true,
      limit: 200,
    });
    const unread = new Map(
      (await store.listUnreadComments(user.id)).map((u) => [u.runId, u.count]),
    );
    const withComments = await Promise.all(
      runs.map(async (r) => ({
        ...r,
        exerciseTitle: titleOf(r.exerciseId),
        comments: (await store.listComments(r.id)).length,
        unreadComments: unread.get(r.id) ?? 0,
      })),
    );
    res.json({ runs: withComments });
  });

  // Before /:runId, which would otherwise take `unread` for a run id.
  router.get('/api/submissions/unread', async (req, res) => {
    const user = requireUser(req);
    const unread = await store.listUnreadComments(user.id);
    const byExercise: Record<string, number> = {};
    for (const u of unread) byExercise[u.exerciseId] = (byExercise[u.exerciseId] ?? 0) + u.count;
    res.json({
      total: unread.reduce((n, u) => n + u.count, 0),
      byExercise,
      runs: unread.map((u) => ({ ...u, exerciseTitle: titleOf(u.exerciseId) })),
    });
  });

  async function ownRun(userId: string, runId: string) {
    const run = await store.getRun(runId);
    if (!run) throw new HttpError(404, 'No such submission.');
    if (run.userId !== userId) throw new HttpError(403, 'This submission is not yours.');
    return run;
  }

  router.get('/api/submissions/:runId', async (req, res) => {
    const user = requireUser(req);
    const run = await ownRun(user.id, String(req.params.runId));
    res.json({
      run,
      exercise: { id: run.exerciseId, title: titleOf(run.exerciseId) },
      comments: await store.listComments(run.id),
    });
  });

  /** The student has seen this submission's comments: they no longer count as new. */
  router.post('/api/submissions/:runId/read', async (req, res) => {
    const user = requireUser(req);
    const run = await ownRun(user.id, String(req.params.runId));
    res.json({ marked: await store.markCommentsRead(run.id) });
  });

  return router;
}
