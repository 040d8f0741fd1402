import { useEffect, useState } from 'react';
import type { ExerciseSummary } from '@ebpf-lab/protocol';
import { useMe } from '../account/account-api.ts';
import { forgetJoinedCourse, joinedCourse } from '../account/joined.ts';
import { useUnread } from '../account/notifications.ts';
import { fetchExercises } from '../api/exercises.ts';
import { useAsync } from '../api/use-async.ts';
import { InlineCode } from '../shell/InlineCode.tsx';
import { Link } from '../shell/router.tsx';
import { useProgress } from '../storage/progress.ts';
import type { ExerciseState } from '../storage/progress.ts';

const STATE_LABEL: Record<ExerciseState, string> = {
  'not-started': 'Not started',
  attempted: 'Attempted',
  passed: 'Passed',
};

export default function CurriculumPage() {
  const list = useAsync(() => fetchExercises(), []);
  const progress = useProgress();
  const me = useMe();
  const unread = useUnread();
  // Shown on the page the join led to, not on later visits.
  const [joined] = useState(joinedCourse);
  useEffect(forgetJoinedCourse, []);
  useEffect(() => {
    document.title = 'Exercises · eBPF Lab';
  }, []);
  if (list.state === 'loading') return <p className="page-message">Loading the exercises…</p>;
  if (list.state === 'failed')
    return (
      <p className="page-message" role="alert">
        {list.message}
      </p>
    );

  const chapters = new Map<number, { title: string; items: ExerciseSummary[] }>();
  for (const e of list.value) {
    const chapter = chapters.get(e.chapter) ?? { title: e.chapterTitle, items: [] };
    chapter.items.push(e);
    chapters.set(e.chapter, chapter);
  }
  const passed = list.value.filter((e) => progress[e.id]?.state === 'passed').length;

  return (
    <div className="curriculum">
      <header className="page-header">
        <h1>Exercises</h1>
        {joined && (
          <p className="notice" role="status" data-testid="joined-course">
            You joined “{joined}”. Your runs are kept with your account, where your instructor can
            follow them.
          </p>
        )}
        <p className="muted">
          {passed} of {list.value.length} passed.{' '}
          {me
            ? 'Every run is kept with your account; the ticks here are this browser’s.'
            : 'Progress is kept in this browser.'}
        </p>
      </header>
      {list.value.length === 0 && <p className="empty">No exercises are installed yet.</p>}
      {[...chapters.entries()].map(([number, chapter]) => (
        <section key={number} className="chapter" aria-labelledby={`chapter-${number}`}>
          <h2 id={`chapter-${number}`} className="chapter-title">
            <span className="muted">Chapter {number}</span> {chapter.title}
          </h2>
          <ol className="exercise-list">
            {chapter.items.map((e) => {
              const state = progress[e.id]?.state ?? 'not-started';
              const attempts = progress[e.id]?.attempts.filter((a) => a.gradable).length ?? 0;
              return (
                <li
                  key={e.id}
                  className="exercise-item"
                  data-testid={`exercise-${e.id}`}
                  data-state={state}
                >
                  <span className={`state-dot state-${state}`} aria-hidden="true" />
                  <div className="exercise-text">
                    <Link href={`/exercises/${encodeURIComponent(e.id)}`} className="exercise-link">
                      {e.title}
                    </Link>
                    {(unread.byExercise[e.id] ?? 0) > 0 && (
                      <Link
                        href="/account"
                        className="badge"
                        data-testid="exercise-unread"
                        title="New comments from your instructor"
                      >
                        {unread.byExercise[e.id]} new comment
                        {unread.byExercise[e.id] === 1 ? '' : 's'}
                      </Link>
                    )}
                    <p className="muted small">
                      <InlineCode text={e.summary} />
                    </p>
                  </div>
                  <span className={`state-label state-${state}`}>
                    {STATE_LABEL[state]}
                    {attempts > 0 && state !== 'not-started' && (
                      <span className="muted">
                        {' '}
                        · {attempts} {attempts === 1 ? 'attempt' : 'attempts'}
                      </span>
                    )}
                  </span>
                </li>
              );
            })}
          </ol>
        </section>
      ))}
    </div>
  );
}
