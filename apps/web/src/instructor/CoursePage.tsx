import { useEffect, useMemo, useState } from 'react';
import { apiGet, apiPost } from '../account/account-api.ts';
import { useReloadable } from '../api/use-async.ts';
import { Link } from '../shell/router.tsx';
import { CopyLink } from './CopyLink.tsx';
import { coalesce, useDeskUpdates } from './desk-updates.ts';
import '../account/account.css';

interface Cell {
  state: 'not-started' | 'attempted' | 'passed';
  attempts: number;
  best: {
    runId: string;
    status: string;
    score: number;
    requiredPassed: number;
    requiredTotal: number;
  } | null;
  lastActivity: string | null;
  latestRunId: string | null;
}
interface Activity {
  runningExerciseId: string | null;
  lastRunAt: string | null;
}
interface Matrix {
  course: { id: string; title: string; joinPath: string };
  exercises: { id: string; title: string }[];
  rows: { student: { id: string; email: string; name: string }; cells: Record<string, Cell> }[];
  activity: Record<string, Activity>;
}

/** "2 min ago", coarse on purpose: the desk says who is active, not the exact second. */
export function timeAgo(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** The current time, ticking every 30 s so "2 min ago" stays true on an open desk. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function MatrixCell({
  courseId,
  exerciseId,
  cell,
  label,
  running,
}: {
  courseId: string;
  exerciseId: string;
  cell: Cell;
  label: string;
  running: boolean;
}) {
  const runId = cell.best?.runId ?? cell.latestRunId;
  const text =
    cell.state === 'not-started'
      ? '—'
      : `${cell.state === 'passed' ? 'passed' : 'not yet'} · ${cell.attempts} attempt${cell.attempts === 1 ? '' : 's'}` +
        (cell.best && cell.state !== 'passed'
          ? ` · best ${Math.round(cell.best.score * 100)}%`
          : '');
  return (
    <td
      className="matrix-cell"
      data-state={cell.state}
      data-exercise={exerciseId}
      data-attempts={cell.attempts}
      data-running={running ? 'true' : undefined}
      data-testid="matrix-cell"
      aria-label={label}
    >
      {runId ? (
        <Link href={`/instructor/courses/${courseId}/runs/${runId}`}>
          {text}
          {running && <span className="tag"> running now</span>}
          {cell.lastActivity && (
            <div className="muted small">{new Date(cell.lastActivity).toLocaleString()}</div>
          )}
        </Link>
      ) : (
        <>
          {text}
          {running && <span className="tag"> running now</span>}
        </>
      )}
    </td>
  );
}

function ActivityLabel({ activity, now }: { activity: Activity | undefined; now: number }) {
  if (activity?.runningExerciseId) {
    return (
      <div className="small" data-testid="activity" data-running="true">
        <span className="tag">running now</span>
      </div>
    );
  }
  return (
    <div className="muted small" data-testid="activity">
      {activity?.lastRunAt ? `last run ${timeAgo(activity.lastRunAt, now)}` : 'no runs yet'}
    </div>
  );
}

/** `/instructor/courses/:courseId`: students × exercises, updated as runs finish. */
export default function CoursePage({ courseId }: { courseId: string }) {
  const [notice, setNotice] = useState('');
  const [confirming, setConfirming] = useState<{ id: string; title: string; count: number } | null>(
    null,
  );
  const { data: matrix, reload } = useReloadable(
    () => apiGet<Matrix>(`/api/instructor/courses/${encodeURIComponent(courseId)}/matrix`),
    [courseId],
  );
  const refresh = useMemo(() => coalesce(reload), [reload]);
  const live = useDeskUpdates(courseId, refresh);
  const now = useNow();
  useEffect(() => {
    document.title = 'Course · eBPF Lab';
  }, []);

  const rerun = async (exerciseId: string) => {
    setConfirming(null);
    try {
      const { runIds } = await apiPost<{ runIds: string[] }>(
        `/api/instructor/courses/${encodeURIComponent(courseId)}/exercises/${encodeURIComponent(exerciseId)}/rerun`,
      );
      setNotice(
        `Re-running ${runIds.length} submission${runIds.length === 1 ? '' : 's'}; the matrix updates as each one is graded.`,
      );
    } catch (e) {
      setNotice(e instanceof Error ? e.message : String(e));
    }
  };

  if (matrix.state === 'loading') return <p className="page-message">Loading…</p>;
  if (matrix.state === 'failed')
    return (
      <p className="page-message form-error" role="alert">
        {matrix.message}
      </p>
    );
  const { course, exercises, rows, activity } = matrix.value;
  const base = `/api/instructor/courses/${encodeURIComponent(course.id)}`;
  // Every student's latest attempt at an exercise: what "Re-run all" grades again.
  const attemptsAt = (exerciseId: string) =>
    rows.filter((r) => r.cells[exerciseId]?.latestRunId).length;
  return (
    <div className="account-page">
      <p className="eyebrow">
        <Link href="/instructor">← Instructor desk</Link>
      </p>
      <h1>{course.title}</h1>
      <p>
        Join link: <CopyLink url={new URL(course.joinPath, window.location.origin).href} />
      </p>
      <p className="form-actions">
        <Link
          className="button button-primary"
          href={`/instructor/courses/${course.id}/mistakes`}
          data-testid="open-mistakes"
        >
          The class's mistakes
        </Link>
        <a className="button" href={`${base}/grades.csv`} download data-testid="export-grades">
          Export grades (CSV)
        </a>
        <a className="button" href={`${base}/attempts.csv`} download>
          Export every attempt (CSV)
        </a>
        <span className="muted small" data-testid="desk-live" data-live={live ? 'true' : 'false'}>
          {live ? '● Live: updates as runs finish' : 'Connecting for live updates…'}
        </span>
      </p>
      {confirming && (
        <div
          className="confirm"
          role="alertdialog"
          aria-label="Confirm re-run"
          data-testid="confirm-rerun"
        >
          <p>
            Grade {confirming.count} student{confirming.count === 1 ? "'s" : "s'"} latest submission
            {confirming.count === 1 ? '' : 's'} of “{confirming.title}” again? Each re-run is kept
            beside the original and takes a turn on the grader, one at a time.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => void rerun(confirming.id)}
              data-testid="confirm-rerun-yes"
            >
              Re-run {confirming.count}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {notice && <p role="status">{notice}</p>}
      {rows.length === 0 ? (
        <p className="empty">No students yet: give them the join link.</p>
      ) : (
        <table className="account-table" data-testid="matrix">
          <thead>
            <tr>
              <th scope="col">Student</th>
              {exercises.map((e) => (
                <th scope="col" key={e.id}>
                  {e.title}
                  {attemptsAt(e.id) > 0 && (
                    <div>
                      <button
                        type="button"
                        className="link-button small"
                        onClick={() =>
                          setConfirming({ id: e.id, title: e.title, count: attemptsAt(e.id) })
                        }
                        title="Grade every student's latest submission again (asks first)"
                        data-testid="rerun-all"
                      >
                        Re-run all…
                      </button>
                    </div>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.student.id} data-testid="matrix-row" data-email={row.student.email}>
                <th scope="row">
                  {row.student.name}
                  <div className="muted small">{row.student.email}</div>
                  <ActivityLabel activity={activity[row.student.id]} now={now} />
                </th>
                {exercises.map((e) => (
                  <MatrixCell
                    key={e.id}
                    courseId={course.id}
                    exerciseId={e.id}
                    cell={row.cells[e.id]}
                    label={`${row.student.name}, ${e.title}`}
                    running={activity[row.student.id]?.runningExerciseId === e.id}
                  />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
