import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { apiGet, apiPost, useMe } from '../account/account-api.ts';
import type { CourseView } from '../account/account-api.ts';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../shell/router.tsx';
import { CopyLink } from './CopyLink.tsx';
import '../account/account.css';

/** `/instructor`: the courses an instructor teaches, their join links, and a new course. */
export default function DeskPage() {
  const me = useMe();
  const [version, setVersion] = useState(0);
  const courses = useAsync(
    () =>
      me?.role === 'instructor'
        ? apiGet<{ courses: CourseView[] }>('/api/courses').then((r) => r.courses)
        : Promise.resolve([]),
    [me?.id, version],
  );
  const [title, setTitle] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    document.title = 'Instructor desk · eBPF Lab';
  }, []);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError('');
    try {
      await apiPost('/api/courses', { title });
      setTitle('');
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  if (me === undefined) return <p className="page-message">Loading…</p>;
  if (!me || me.role !== 'instructor') {
    return (
      <p className="page-message">
        The instructor desk is for instructors. <Link href="/account">Sign in</Link> with an
        instructor account.
      </p>
    );
  }
  return (
    <div className="account-page">
      <h1>Instructor desk</h1>
      <h2>Your courses</h2>
      {courses.state === 'ready' && courses.value.length === 0 && (
        <p className="empty">No courses yet: create one below.</p>
      )}
      {courses.state === 'ready' && courses.value.length > 0 && (
        <table className="account-table" data-testid="courses">
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Join link (give it to your students)</th>
            </tr>
          </thead>
          <tbody>
            {courses.value
              .filter((c) => c.role === 'instructor')
              .map((c) => (
                <tr key={c.id} data-testid="course-row">
                  <td>
                    <Link href={`/instructor/courses/${c.id}`} data-testid="course-link">
                      {c.title}
                    </Link>
                  </td>
                  <td>
                    {c.joinPath && (
                      <CopyLink url={new URL(c.joinPath, window.location.origin).href} />
                    )}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      {courses.state === 'failed' && <p className="form-error">{courses.message}</p>}
      <h2>New course</h2>
      <form className="account-form" onSubmit={(e) => void create(e)}>
        <label>
          Title
          <input
            required
            maxLength={200}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="course-title"
          />
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="create-course">
            Create course
          </button>
        </div>
        {error && (
          <p role="alert" className="form-error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
