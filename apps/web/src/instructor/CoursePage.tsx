import { useEffect, useState } from 'react';
import { apiGet, apiPost, formatWhen } from '../account/account-api.ts';
import type { Assignment, AssignmentStanding } from '../account/account-api.ts';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../shell/router.tsx';
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
  /** Present for an assigned exercise: the student's standing under its rules. */
  assignment?: AssignmentStanding;
}
interface Matrix {
  course: { id: string; title: string; joinPath: string };
  exercises: { id: string; title: string }[];
  assignments: Assignment[];
  rows: { student: { id: string; email: string; name: string }; cells: Record<string, Cell> }[];
}

function MatrixCell({
  courseId,
  exerciseId,
  cell,
  label,
}: {
  courseId: string;
  exerciseId: string;
  cell: Cell;
  label: string;
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
      data-testid="matrix-cell"
      aria-label={label}
    >
      {runId ? (
        <Link href={`/instructor/courses/${courseId}/runs/${runId}`}>
          {text}
          {cell.assignment && <AssignmentGrade standing={cell.assignment} />}
          {cell.lastActivity && (
            <div className="muted small">{new Date(cell.lastActivity).toLocaleString()}</div>
          )}
        </Link>
      ) : (
        text
      )}
    </td>
  );
}

/** The grade an assigned exercise gives under its rules. */
function AssignmentGrade({ standing }: { standing: AssignmentStanding }) {
  if (standing.grade === null) return null;
  return (
    <div className="small" data-testid="assignment-grade">
      grade {Math.round(standing.grade * 100)}%{standing.late ? ' (late)' : ''}
    </div>
  );
}

/** `/instructor/courses/:courseId`: students × exercises, exports, re-runs. */
export default function CoursePage({ courseId }: { courseId: string }) {
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState('');
  const matrix = useAsync(
    () => apiGet<Matrix>(`/api/instructor/courses/${encodeURIComponent(courseId)}/matrix`),
    [courseId, version],
  );
  useEffect(() => {
    document.title = 'Course · eBPF Lab';
  }, []);

  const rerun = async (exerciseId: string) => {
    try {
      const { runIds } = await apiPost<{ runIds: string[] }>(
        `/api/instructor/courses/${encodeURIComponent(courseId)}/exercises/${encodeURIComponent(exerciseId)}/rerun`,
      );
      setNotice(
        `Re-running ${runIds.length} submission${runIds.length === 1 ? '' : 's'} of ${exerciseId}; reload to see the results.`,
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
  const { course, exercises, rows, assignments } = matrix.value;
  const dueOf = new Map(assignments.map((a) => [a.exerciseId, a.dueAt]));
  const base = `/api/instructor/courses/${encodeURIComponent(course.id)}`;
  return (
    <div className="account-page">
      <p className="eyebrow">
        <Link href="/instructor">← Instructor desk</Link>
      </p>
      <h1>{course.title}</h1>
      <p>
        Join link:{' '}
        <span className="join-link">{new URL(course.joinPath, window.location.origin).href}</span>
      </p>
      <p className="form-actions">
        <a className="button" href={`${base}/grades.csv`} download data-testid="export-grades">
          Export grades (CSV)
        </a>
        <a className="button" href={`${base}/grades-canvas.csv`} download>
          Grades for Canvas
        </a>
        <a className="button" href={`${base}/grades-moodle.csv`} download>
          Grades for Moodle
        </a>
        <a className="button" href={`${base}/attempts.csv`} download>
          Export every attempt (CSV)
        </a>
        <Link
          className="button"
          href={`/instructor/courses/${encodeURIComponent(course.id)}/manage`}
          data-testid="manage-course"
        >
          Assignments and people
        </Link>
        <button
          type="button"
          className="button"
          onClick={() => setVersion((v) => v + 1)}
          data-testid="refresh-matrix"
        >
          Refresh
        </button>
      </p>
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
                  {dueOf.has(e.id) && (
                    <div className="muted small">due {formatWhen(dueOf.get(e.id) ?? '')}</div>
                  )}
                  <div>
                    <button
                      type="button"
                      className="link-button small"
                      onClick={() => void rerun(e.id)}
                      title="Grade every student's latest submission again"
                    >
                      Re-run all
                    </button>
                  </div>
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
                </th>
                {exercises.map((e) => (
                  <MatrixCell
                    key={e.id}
                    courseId={course.id}
                    exerciseId={e.id}
                    cell={row.cells[e.id]}
                    label={`${row.student.name}, ${e.title}`}
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
