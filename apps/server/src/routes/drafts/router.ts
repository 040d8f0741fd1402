// /api/drafts/:exerciseId: the editor's code of a signed-in student, saved as they type so a
// second device or tab opens where they left off. The later edit wins: a save carries the time
// of the edit, and a save older than the stored draft is answered with the draft that won.
import { Router } from 'express';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { continuedStarter } from '@ebpf-lab/exercises';
import type { Store } from '@ebpf-lab/store';
import { HttpError, parseBody } from '../../http-error.ts';
import { requireUser } from '../auth/session.ts';

/** Same cap as a run's code: a draft is what the student would submit. */
export const DRAFT_MAX_BYTES = 64 * 1024;

const SaveDraft = z.object({
  code: z.string(),
  /** When the student made the edit (ISO 8601). */
  editedAt: z.iso.datetime({ offset: true }),
});

export interface DraftsDeps {
  store: Store;
  /** The account routes' session loader and CSRF check, in that order. */
  guard: RequestHandler[];
  /** Exercise ids the server serves; drafts of unknown exercises are refused. */
  hasExercise(id: string): boolean;
  /** For an exercise that continues another: that exercise and the TODO to append. */
  continuesOf?(id: string): { exercise: string; append: string } | undefined;
}

export function createDraftsRouter(deps: DraftsDeps): Router {
  const { store } = deps;
  const router = Router();
  // The body was parsed by the app under LAB_JSON_BODY_BYTES (256 KiB by default), room enough
  // for a too-long draft to get the message naming the draft limit.
  router.use(deps.guard);

  const exerciseIdOf = (raw: unknown): string => {
    const id = String(raw);
    if (!deps.hasExercise(id)) throw new HttpError(404, `No exercise "${id}".`);
    return id;
  };

  router.get('/:exerciseId', async (req, res) => {
    const user = requireUser(req);
    const draft = await store.getDraft(user.id, exerciseIdOf(req.params.exerciseId));
    // No draft yet is an ordinary state, not an error: the browser would log a 404 as one.
    res.json({ draft: draft ?? null });
  });

  // The starter of an exercise that continues another: the student's own best passing code of
  // that exercise with the new TODO appended; null when it continues nothing or they never passed.
  router.get('/:exerciseId/starter', async (req, res) => {
    const user = requireUser(req);
    const continues = deps.continuesOf?.(exerciseIdOf(req.params.exerciseId));
    if (!continues) {
      res.json({ starter: null });
      return;
    }
    const runs = await store.listRunsWithCode({
      userId: user.id,
      exerciseId: continues.exercise,
      newestFirst: true,
      limit: 200,
    });
    const attempts = runs.map((r) => ({
      code: r.code,
      status: r.status ?? '',
      passedChecks: r.checksPassed ?? 0,
      at: r.createdAt,
    }));
    res.json({
      starter: continuedStarter(continues.append, attempts) ?? null,
      from: continues.exercise,
    });
  });

  router.put('/:exerciseId', async (req, res) => {
    const user = requireUser(req);
    const exerciseId = exerciseIdOf(req.params.exerciseId);
    const body = parseBody(SaveDraft, req.body);
    const bytes = Buffer.byteLength(body.code, 'utf8');
    if (bytes > DRAFT_MAX_BYTES) {
      throw new HttpError(
        413,
        `Your code is ${bytes} bytes; drafts are limited to ${DRAFT_MAX_BYTES} bytes.`,
      );
    }
    // A clock ahead of the server's would make this edit win over every later one: clamp it.
    const editedAt = new Date(Math.min(Date.parse(body.editedAt), Date.now()));
    const draft = await store.saveDraft({ userId: user.id, exerciseId, code: body.code, editedAt });
    // `kept`: false when a later edit was already stored; the body is then that later draft.
    res.json({
      draft,
      kept: draft.code === body.code && draft.editedAt === editedAt.toISOString(),
    });
  });

  return router;
}
