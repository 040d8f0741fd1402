import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { apiGet, apiPost, useMe } from '../account/account-api.ts';
import type { CourseView } from '../account/account-api.ts';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../shell/router.tsx';
import { CopyLink } from './CopyLink.tsx';
import '../account/account.css';
import { FormError } from '../shell/FormError.tsx';

/**
 * `/instructor`: the courses the user teaches or assists in, their join links, and (for instructor
 * accounts) a new course.
 */
export default function DeskPage() {
  const me = useMe();
  const [version, setVersion] = useState(0);
  const courses = useAsync(
    () =>
      me
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
  const staffOf =
    courses.state === 'ready' ? courses.value.filter((c) => c.role !== 'student') : [];
  if (!me || (me.role !== 'instructor' && courses.state === 'ready' && staffOf.length === 0)) {
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
      {courses.state === 'ready' && staffOf.length === 0 && (
        <p className="empty">
          No courses yet{me.role === 'instructor' ? ': create one below' : ''}.
        </p>
      )}
      {staffOf.length > 0 && (
        <table className="account-table" data-testid="courses">
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Join link (give it to your students)</th>
            </tr>
          </thead>
          <tbody>
            {staffOf.map((c) => (
              <tr key={c.id} data-testid="course-row">
                <td>
                  <Link href={`/instructor/courses/${c.id}`} data-testid="course-link">
                    {c.title}
                  </Link>
                  {c.role === 'assistant' && <span className="tag tag-muted"> assistant</span>}
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
      {me.role === 'instructor' && (
        <>
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
            <FormError message={error} />
          </form>
        </>
      )}
    </div>
  );
}
