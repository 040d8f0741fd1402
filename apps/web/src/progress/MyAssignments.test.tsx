// The exercise list's course part: due dates and standing, and the course runs count for.
import { afterEach, describe, expect, it } from 'vitest';
import { act, useState } from 'react';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { setCourseContext, storedCourseContext } from '../account/course-context.ts';
import type { Me } from '../account/account-api.ts';
import { MyAssignments, standingText, useWorkingCourse } from './MyAssignments.tsx';
import type { CourseAssignments } from './MyAssignments.tsx';

const me: Me = { id: 'u1', email: 'ana@uni.edu', name: 'Ana', role: 'student' };
const assignment = (
  exerciseId: string,
  standing: CourseAssignments['assignments'][0]['standing'],
) => ({
  courseId: 'c1',
  exerciseId,
  title: exerciseId === 'ex-one' ? 'First' : 'Second',
  opensAt: '2026-01-05T08:00:00.000Z',
  dueAt: '2026-01-12T08:00:00.000Z',
  lateUntil: null,
  lateCreditPercent: null,
  standing,
});
const TRACING: CourseAssignments = {
  id: 'c1',
  title: 'Tracing',
  assignments: [
    assignment('ex-one', {
      window: 'late',
      grade: 0.6,
      gradedRunId: 'r',
      late: true,
      countedAttempts: 2,
    }),
    assignment('ex-two', {
      window: 'open',
      grade: null,
      gradedRunId: null,
      late: false,
      countedAttempts: 0,
    }),
  ],
};
const NETWORKS: CourseAssignments = { id: 'c2', title: 'Networks', assignments: [] };

function Harness({ courses }: { courses: CourseAssignments[] }) {
  const [list] = useState(courses);
  const [working, choose] = useWorkingCourse(me, list);
  return (
    <>
      <p data-testid="working">{working ?? 'none'}</p>
      <MyAssignments courses={list} working={working} onChoose={choose} />
    </>
  );
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  localStorage.clear();
});

const q = (id: string) => view!.container.querySelector(`[data-testid="${id}"]`);

describe('the exercise list’s courses', () => {
  it('shows each assignment with its due date, its link into the course, and the standing', () => {
    view = render(<Harness courses={[TRACING]} />);
    expect(q('working-course')?.textContent).toContain('Tracing');
    expect(q('working')?.textContent).toBe('c1');
    const rows = view.container.querySelectorAll('[data-testid="my-assignment"]');
    expect(rows).toHaveLength(2);
    expect(rows[0].querySelector('a')?.getAttribute('href')).toBe('/exercises/ex-one?course=c1');
    expect(rows[0].textContent).toMatch(/due .*Best so far: 60% \(late\)/);
    expect(rows[1].textContent).toContain('Open: no attempt counted yet');
  });

  it('lets a student of several courses pick the one their runs count for, kept for them', () => {
    view = render(<Harness courses={[TRACING, NETWORKS]} />);
    expect(q('working')?.textContent).toBe('none');
    const picker = q('course-picker') as HTMLSelectElement;
    act(() => {
      picker.value = 'c2';
      picker.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(q('working')?.textContent).toBe('c2');
    expect(storedCourseContext('u1')).toBe('c2');
    // Another account on this browser does not inherit it.
    expect(storedCourseContext('someone-else')).toBeUndefined();
  });

  it('forgets a course the student no longer takes, so their runs are not refused', () => {
    setCourseContext('u1', 'gone');
    view = render(<Harness courses={[TRACING, NETWORKS]} />);
    expect(q('working')?.textContent).toBe('none');
    expect(storedCourseContext('u1')).toBeUndefined();
  });

  it('words each window', () => {
    const at = { opensAt: '2026-01-05T08:00:00.000Z' };
    const s = { gradedRunId: null, late: false, countedAttempts: 0 };
    expect(standingText({ ...at, standing: { ...s, window: 'upcoming', grade: null } })).toMatch(
      /^Opens /,
    );
    expect(standingText({ ...at, standing: { ...s, window: 'closed', grade: 0 } })).toBe(
      'Closed: 0%',
    );
    expect(standingText({ ...at, standing: { ...s, window: 'open', grade: 1 } })).toBe(
      'Best so far: 100%',
    );
  });
});
