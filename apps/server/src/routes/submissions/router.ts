// /api/submissions: a signed-in student's own runs and the comments instructors left on them.
// Nobody reads anyone else's submissions here; instructors use the desk's course routes.
import { Router } from 'express';
import type { Store } from '@ebpf-lab/store';
import { HttpError } from '../../http-error.ts';
import { requireUser } from '../auth/session.ts';

export function createSubmissionsRouter(deps: { store: Store }): Router {
  const { store } = deps;
  const router = Router();

  router.get('/api/submissions', async (req, res) => {
    const user = requireUser(req);
    const exerciseId = typeof req.query.exerciseId === 'string' ? req.query.exerciseId : undefined;
    const runs = await store.listRuns({
      userId: user.id,
      exerciseId,
      newestFirst: true,
      limit: 200,
    });
    const withComments = await Promise.all(
      runs.map(async (r) => ({ ...r, comments: (await store.listComments(r.id)).length })),
    );
    res.json({ runs: withComments });
  });

  router.get('/api/submissions/:runId', async (req, res) => {
    const user = requireUser(req);
    const run = await store.getRun(String(req.params.runId));
    if (!run) throw new HttpError(404, 'No such submission.');
    if (run.userId !== user.id) throw new HttpError(403, 'This submission is not yours.');
    res.json({ run, comments: await store.listComments(run.id) });
  });

  return router;
}
