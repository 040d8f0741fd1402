// `/instructor/courses/:courseId/manage`: a course's rules and people, beside its desk.
import { useEffect, useState } from 'react';
import { apiGet } from '../account/account-api.ts';
import type { Assignment, CourseMember, CourseView } from '../account/account-api.ts';
import { fetchExercises } from '../api/exercises.ts';
import { useAsync } from '../api/use-async.ts';
import { PanelBoundary } from '../shell/PanelBoundary.tsx';
import { Link } from '../shell/router.tsx';
import { AssignmentsPanel } from './AssignmentsPanel.tsx';
import { PeoplePanel } from './PeoplePanel.tsx';
import '../account/account.css';
import './manage.css';

interface CourseRules {
  course: CourseView;
  canManage: boolean;
  members: CourseMember[];
  assignments: Assignment[];
  exercises: { id: string; title: string }[];
}

async function loadRules(courseId: string): Promise<CourseRules> {
  const base = `/api/instructor/courses/${encodeURIComponent(courseId)}`;
  const [courses, members, assignments, exercises] = await Promise.all([
    apiGet<{ courses: CourseView[] }>('/api/courses'),
    apiGet<{ members: CourseMember[]; canManage: boolean }>(`${base}/members`),
    apiGet<{ assignments: Assignment[] }>(`${base}/assignments`),
    fetchExercises(),
  ]);
  const course = courses.courses.find((c) => c.id === courseId);
  if (!course) throw new Error('You do not teach this course.');
  return {
    course,
    canManage: members.canManage,
    members: members.members,
    assignments: assignments.assignments,
    exercises: exercises.map((e) => ({ id: e.id, title: e.title })),
  };
}

export default function ManageCoursePage({ courseId }: { courseId: string }) {
  const [version, setVersion] = useState(0);
  const rules = useAsync(() => loadRules(courseId), [courseId, version]);
  // The last loaded state stays on screen while a change reloads it, so the page never jumps.
  const [shown, setShown] = useState<CourseRules | null>(null);
  useEffect(() => {
    if (rules.state === 'ready') setShown(rules.value);
  }, [rules]);
  useEffect(() => {
    document.title = 'Assignments and people · eBPF Lab';
  }, []);
  const changed = () => setVersion((v) => v + 1);

  if (!shown) {
    if (rules.state === 'failed')
      return (
        <p className="page-message form-error" role="alert">
          {rules.message}
        </p>
      );
    return <p className="page-message">Loading…</p>;
  }
  const base = `/api/instructor/courses/${encodeURIComponent(courseId)}`;
  return (
    <div className="account-page manage-page">
      <p className="eyebrow">
        <Link href={`/instructor/courses/${encodeURIComponent(courseId)}`}>
          ← {shown.course.title}
        </Link>
      </p>
      <h1>Assignments and people</h1>
      {!shown.canManage && (
        <p className="muted" data-testid="assistant-note">
          You assist in this course: you review and comment; its instructors change assignments and
          people.
        </p>
      )}
      {rules.state === 'failed' && (
        <p className="form-error" role="alert">
          {rules.message}
        </p>
      )}
      <PanelBoundary title="The assignments panel" audience="instructor">
        <AssignmentsPanel
          base={base}
          assignments={shown.assignments}
          exercises={shown.exercises}
          canManage={shown.canManage}
          onChanged={changed}
        />
      </PanelBoundary>
      <PanelBoundary title="The people panel" audience="instructor">
        <PeoplePanel
          base={base}
          courseTitle={shown.course.title}
          members={shown.members}
          canManage={shown.canManage}
          onChanged={changed}
        />
      </PanelBoundary>
    </div>
  );
}
