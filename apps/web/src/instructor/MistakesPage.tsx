import { useEffect, useMemo } from 'react';
import { apiGet } from '../account/account-api.ts';
import { useReloadable } from '../api/use-async.ts';
import { InlineCode } from '../shell/InlineCode.tsx';
import { Link } from '../shell/router.tsx';
import { coalesce, useDeskUpdates } from './desk-updates.ts';
import '../account/account.css';

interface FailingCheck {
  id: string;
  title: string;
  required: boolean;
  students: number;
  stillFailing: number;
  attempts: number;
  hint: string | null;
  examples: { runId: string; studentId: string; studentName: string; createdAt: string }[];
}

interface ExerciseMistakes {
  exerciseId: string;
  title: string;
  tried: number;
  passed: number;
  passRate: number | null;
  medianAttemptsToPass: number | null;
  medianTimeToPassMs: number | null;
  attempts: number;
  errors: Record<string, number>;
  failingChecks: FailingCheck[];
}

const ERROR_WORDS: Record<string, string> = {
  compile: 'did not compile',
  static: 'were refused by the static checks',
  verifier: 'were refused by the verifier',
  attach: 'failed to attach',
  timeout: 'ran out of time',
  limit: 'hit a limit',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 90) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}

function Exercise({ courseId, e }: { courseId: string; e: ExerciseMistakes }) {
  const errors = Object.entries(e.errors).filter(([, n]) => n > 0);
  return (
    <section
      className="mistakes-exercise"
      data-testid="mistakes-exercise"
      data-exercise={e.exerciseId}
    >
      <h2>{e.title}</h2>
      {e.tried === 0 ? (
        <p className="empty">Nobody has tried it yet.</p>
      ) : (
        <>
          <p data-testid="mistakes-summary">
            <strong>
              {e.passed} of {plural(e.tried, 'student')} passed
            </strong>{' '}
            ({Math.round((e.passRate ?? 0) * 100)}%) · {plural(e.attempts, 'graded attempt')}
            {e.medianAttemptsToPass !== null && (
              <> · median {plural(e.medianAttemptsToPass, 'attempt')} to pass</>
            )}
            {e.medianTimeToPassMs !== null && (
              <> · median {formatDuration(e.medianTimeToPassMs)} from first run to pass</>
            )}
          </p>
          {errors.length > 0 && (
            <p className="muted">
              Before any check ran:{' '}
              {errors
                .map(
                  ([kind, n]) =>
                    `${plural(n, 'attempt')} ${ERROR_WORDS[kind] ?? `ended in ${kind}`}`,
                )
                .join(', ')}
              .
            </p>
          )}
          {e.failingChecks.length === 0 ? (
            <p className="empty">No check has failed.</p>
          ) : (
            <table className="account-table mistakes-table">
              <thead>
                <tr>
                  <th scope="col">Check that failed</th>
                  <th scope="col">Students</th>
                  <th scope="col">Still failing</th>
                  <th scope="col">The hint they were shown</th>
                  <th scope="col">Example attempts</th>
                </tr>
              </thead>
              <tbody>
                {e.failingChecks.map((c) => (
                  <tr key={c.id} data-testid="failing-check" data-check={c.id}>
                    <th scope="row">
                      {c.title}
                      <div className="muted small">
                        {c.id}
                        {c.required ? '' : ' · bonus'} · {plural(c.attempts, 'failed attempt')}
                      </div>
                    </th>
                    <td>{c.students}</td>
                    <td>{c.stillFailing}</td>
                    <td className="mistakes-hint">
                      {c.hint ? <InlineCode text={c.hint} /> : <span className="muted">none</span>}
                    </td>
                    <td>
                      <ul className="plain-list">
                        {c.examples.map((x) => (
                          <li key={x.runId}>
                            <Link
                              href={`/instructor/courses/${courseId}/runs/${encodeURIComponent(x.runId)}`}
                              data-testid="mistake-example"
                            >
                              {x.studentName}
                            </Link>{' '}
                            <span className="muted small">
                              {new Date(x.createdAt).toLocaleString()}
                            </span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** `/instructor/courses/:courseId/mistakes`: which ideas the class has not understood yet. */
export default function MistakesPage({ courseId }: { courseId: string }) {
  const { data, reload } = useReloadable(
    () =>
      apiGet<{ exercises: ExerciseMistakes[] }>(
        `/api/instructor/courses/${encodeURIComponent(courseId)}/mistakes`,
      ),
    [courseId],
  );
  const refresh = useMemo(() => coalesce(reload), [reload]);
  const live = useDeskUpdates(courseId, (event) => {
    if (event.state === 'finished' && event.kind === 'student') refresh();
  });
  useEffect(() => {
    document.title = "The class's mistakes · eBPF Lab";
  }, []);

  if (data.state === 'loading') return <p className="page-message">Loading…</p>;
  if (data.state === 'failed')
    return (
      <p className="page-message form-error" role="alert">
        {data.message}
      </p>
    );
  // Exercises someone tried first, in curriculum order; the untried ones after.
  const list = [...data.value.exercises].sort((a, b) => Number(b.tried > 0) - Number(a.tried > 0));
  return (
    <div className="account-page">
      <p className="eyebrow">
        <Link href={`/instructor/courses/${courseId}`}>← Course matrix</Link>
      </p>
      <h1>The class's mistakes</h1>
      <p className="muted">
        Counted from the students' own graded attempts; the checks that fail for the most students
        come first.{' '}
        <span data-testid="desk-live" data-live={live ? 'true' : 'false'}>
          {live ? 'Updates as runs finish.' : 'Not updating live: reload for the latest.'}
        </span>
      </p>
      {list.map((e) => (
        <Exercise key={e.exerciseId} courseId={courseId} e={e} />
      ))}
    </div>
  );
}
