// /api/instructor/courses/:courseId/…: the instructor's desk. Every route first checks that the
// signed-in user is staff of this very course (course-access.ts), and that any run named was
// made for this course by one of its students: a student's work for another course stays there.
import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import type { Course, Run, Store, User } from '@ebpf-lab/store';
import { HttpError, parseBody } from '../../http-error.ts';
import type { RunLifecycle } from '../../runs/run-lifecycle.ts';
import { assignmentStandings, courseGrades } from '../assignments/course-grades.ts';
import { staffAccess } from './course-access.ts';
import { toCsv } from './csv.ts';
import type { ExerciseCatalog } from './exercise-catalog.ts';
import { gradebookCsv } from './gradebook-csv.ts';
import type { GradebookFormat } from './gradebook-csv.ts';
import { buildMatrix, scoreOf, studentActivity } from './matrix.ts';
import { classMistakes } from './mistakes.ts';

const CommentText = z.string().trim().min(1).max(4000);
const CommentBody = z.object({
  line: z.number().int().min(1).max(100_000),
  body: CommentText,
});
const CommentEdit = z.object({ body: CommentText });

/** Told when a comment changes, so the student's open pages update their badge. */
export interface CommentNotices {
  commentsChanged(studentId: string, runId: string, exerciseId: string): void;
}

export function createInstructorRouter(deps: {
  store: Store;
  exercises: ExerciseCatalog;
  /** Re-runs go through the one run lifecycle, as new runs attributed to the instructor. */
  runs: RunLifecycle;
  feed?: CommentNotices;
}): Router {
  const { store, exercises, runs, feed } = deps;
  const commentsChanged = (run: Run) =>
    feed?.commentsChanged(run.userId ?? '', run.id, run.exerciseId);
  const router = Router();

  async function courseOf(req: Request) {
    const { user, course, role } = await staffAccess(store, req, 'review');
    const students = await store.listStudents(course.id);
    return { user, course, role, students };
  }

  /** The runs of the course's current students made for this course. */
  async function courseRuns(courseId: string, students: { id: string }[]) {
    return store.listRuns({ courseId, userIds: students.map((s) => s.id) });
  }

  /** The run, only when it was made for this course by one of its students. */
  async function runOf(
    req: Request,
  ): Promise<{ user: { id: string }; run: Run; course: Course; students: User[] }> {
    const { user, course, students } = await courseOf(req);
    const run = await store.getRun(String(req.params.runId));
    if (
      !run ||
      !run.userId ||
      !students.some((s) => s.id === run.userId) ||
      run.courseId !== course.id
    ) {
      throw new HttpError(404, 'No such submission in this course.');
    }
    return { user, run, course, students };
  }

  router.get('/api/instructor/courses/:courseId/matrix', async (req, res) => {
    const { course, role, students } = await courseOf(req);
    const list = exercises();
    const runs = await courseRuns(course.id, students);
    const assignments = await store.listAssignments(course.id);
    const standings = assignmentStandings(assignments, students, runs, Date.now());
    res.json({
      course: { id: course.id, title: course.title, joinPath: `/join/${course.joinCode}`, role },
      exercises: list.map((e) => ({ id: e.id, title: e.title })),
      assignments,
      // A cell of an assigned exercise carries the student's standing under its rules.
      rows: buildMatrix(
        students,
        list.map((e) => e.id),
        runs,
      ).map((row) => {
        const own = standings.get(row.student.id) ?? {};
        return {
          ...row,
          cells: Object.fromEntries(
            Object.entries(row.cells).map(([id, cell]) => [
              id,
              own[id] ? { ...cell, assignment: own[id] } : cell,
            ]),
          ),
        };
      }),
      activity: studentActivity(
        students.map((s) => s.id),
        runs,
      ),
    });
  });

  router.get('/api/instructor/courses/:courseId/mistakes', async (req, res) => {
    const { course, students } = await courseOf(req);
    const runs = await store.listRunOutcomes({
      courseId: course.id,
      userIds: students.map((s) => s.id),
    });
    res.json({ exercises: classMistakes(students, exercises(), runs) });
  });

  router.get('/api/instructor/courses/:courseId/runs/:runId', async (req, res) => {
    const { run, course, students } = await runOf(req);
    const student = await store.getUser(run.userId ?? '');
    const attempts = await store.listRunsWithCode({
      userId: run.userId,
      courseId: run.courseId ?? undefined,
      exerciseId: run.exerciseId,
    });
    // The previous attempt is the student's own submission before this one (re-runs excluded).
    const own = attempts.filter((a) => a.kind === 'student');
    const anchor = run.kind === 'rerun' ? run.rerunOf : run.id;
    const index = own.findIndex((a) => a.id === anchor);
    const previous = index > 0 ? own[index - 1] : null;
    const exercise = exercises().find((e) => e.id === run.exerciseId);
    const at = (a: Run | undefined) => a && { id: a.id, createdAt: a.createdAt };
    // Own attempts only: re-runs are reached from the attempts list.
    const current = own.findIndex((a) => a.id === anchor);
    res.json({
      run,
      student: student && { id: student.id, email: student.email, name: student.name },
      exercise: exercise
        ? { id: exercise.id, title: exercise.title, starter: exercise.starter }
        : { id: run.exerciseId, title: run.exerciseId, starter: '' },
      previous: previous && { id: previous.id, code: previous.code, createdAt: previous.createdAt },
      attempts: attempts.map(({ code: _code, result: _result, ...summary }) => summary),
      comments: await store.listComments(run.id),
      navigation: {
        previousAttempt: at(current > 0 ? own[current - 1] : undefined) ?? null,
        nextAttempt: at(current >= 0 ? own[current + 1] : undefined) ?? null,
        ...(await neighbours(course.id, students, run.userId ?? '', run.exerciseId)),
      },
    });
  });

  /**
   * The students before and after this one (in the matrix's order) who have an attempt at the
   * exercise, each with their latest attempt, so a review goes on without the matrix.
   */
  async function neighbours(
    courseId: string,
    students: User[],
    studentId: string,
    exerciseId: string,
  ) {
    const runs = await store.listRuns({
      courseId,
      userIds: students.map((s) => s.id),
      exerciseId,
      newestFirst: true,
    });
    const latest = new Map<string, string>();
    for (const r of runs) {
      if (r.kind === 'student' && r.userId && !latest.has(r.userId)) latest.set(r.userId, r.id);
    }
    const here = students.findIndex((s) => s.id === studentId);
    const pick = (candidates: User[]) => {
      const s = candidates.find((c) => latest.has(c.id));
      return s ? { runId: latest.get(s.id)!, studentId: s.id, studentName: s.name } : null;
    };
    return {
      previousStudent: pick(students.slice(0, here).reverse()),
      nextStudent: pick(students.slice(here + 1)),
    };
  }

  /** A comment on this run, which only its author may change. */
  async function ownComment(req: Request) {
    const { user, run } = await runOf(req);
    const comment = await store.getComment(String(req.params.commentId));
    if (!comment || comment.runId !== run.id) throw new HttpError(404, 'No such comment.');
    if (comment.authorId !== user.id) {
      throw new HttpError(403, 'Only the author of a comment may change or delete it.');
    }
    return { run, comment };
  }

  router.patch(
    '/api/instructor/courses/:courseId/runs/:runId/comments/:commentId',
    async (req, res) => {
      const { run, comment } = await ownComment(req);
      const { body } = parseBody(CommentEdit, req.body);
      const updated = await store.updateComment(comment.id, body);
      commentsChanged(run);
      res.json({ comment: updated });
    },
  );

  router.delete(
    '/api/instructor/courses/:courseId/runs/:runId/comments/:commentId',
    async (req, res) => {
      const { run, comment } = await ownComment(req);
      await store.deleteComment(comment.id);
      commentsChanged(run);
      res.status(204).end();
    },
  );

  router.post('/api/instructor/courses/:courseId/runs/:runId/comments', async (req, res) => {
    const { user, run } = await runOf(req);
    const body = parseBody(CommentBody, req.body);
    const lines = run.code.split('\n').length;
    if (body.line > lines) throw new HttpError(400, `line: the submission has ${lines} lines`);
    const comment = await store.addComment({ runId: run.id, authorId: user.id, ...body });
    commentsChanged(run);
    res.status(201).json({ comment });
  });

  router.post('/api/instructor/courses/:courseId/runs/:runId/rerun', async (req, res) => {
    const { user, run } = await runOf(req);
    const original =
      run.kind === 'rerun' && run.rerunOf ? ((await store.getRun(run.rerunOf)) ?? run) : run;
    res.status(202).json({ runIds: [await runs.rerun(original, user.id)] });
  });

  router.post('/api/instructor/courses/:courseId/exercises/:exerciseId/rerun', async (req, res) => {
    const { user, course, students } = await courseOf(req);
    const exerciseId = String(req.params.exerciseId);
    if (!exercises().some((e) => e.id === exerciseId))
      throw new HttpError(404, 'No such exercise.');
    const runIds: string[] = [];
    for (const s of students) {
      // Each student's latest own submission: what they would hand in now.
      const latest = (
        await store.listRunsWithCode({
          userId: s.id,
          courseId: course.id,
          exerciseId,
          newestFirst: true,
        })
      ).find((r) => r.kind === 'student');
      if (latest) runIds.push(await runs.rerun(latest, user.id));
    }
    res.status(202).json({ runIds });
  });

  // Grades under the assignments' rules (every exercise's best score in a course without
  // assignments): ours, and the layouts Canvas's and Moodle's gradebook imports read.
  const exports: [string, GradebookFormat][] = [
    ['grades.csv', 'lab'],
    ['grades-canvas.csv', 'canvas'],
    ['grades-moodle.csv', 'moodle'],
  ];
  for (const [file, format] of exports) {
    router.get(`/api/instructor/courses/:courseId/${file}`, async (req, res) => {
      const { course, students } = await courseOf(req);
      const grades = courseGrades(
        students,
        exercises(),
        await store.listAssignments(course.id),
        await courseRuns(course.id, students),
        Date.now(),
      );
      sendCsv(res, `${course.title}-${file}`, gradebookCsv(format, grades));
    });
  }

  router.get('/api/instructor/courses/:courseId/attempts.csv', async (req, res) => {
    const { course, students } = await courseOf(req);
    const byId = new Map(students.map((s) => [s.id, s]));
    const runs = await courseRuns(course.id, students);
    const header = [
      'email',
      'name',
      'exercise',
      'run_id',
      'kind',
      'rerun_of',
      'state',
      'status',
      'gradable',
      'required_passed',
      'required_total',
      'checks_passed',
      'checks_total',
      'score',
      'created_at',
      'duration_ms',
    ];
    const rows = runs.map((r) => {
      const s = byId.get(r.userId ?? '');
      return [
        s?.email,
        s?.name,
        r.exerciseId,
        r.id,
        r.kind,
        r.rerunOf,
        r.state,
        r.status,
        r.gradable,
        r.requiredPassed,
        r.requiredTotal,
        r.checksPassed,
        r.checksTotal,
        r.state === 'finished' ? scoreOf(r) : null,
        r.createdAt,
        r.durationMs,
      ];
    });
    sendCsv(res, `${course.title}-attempts.csv`, toCsv(header, rows));
  });

  return router;
}

function sendCsv(res: Response, filename: string, body: string): void {
  const safe = filename.replace(/[^A-Za-z0-9._-]+/g, '-');
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${safe}"`);
  res.send(body);
}
