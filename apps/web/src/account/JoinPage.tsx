import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useAsync } from '../api/use-async.ts';
import { apiGet, apiPost, reloadAt, signUp, useMe } from './account-api.ts';
import { rememberJoinedCourse } from './joined.ts';
import './account.css';
import { FormError } from '../shell/FormError.tsx';

/** `/join/:code`: a course's join link. Signs a new student up, or enrols a signed-in one. */
export default function JoinPage({ code }: { code: string }) {
  const me = useMe();
  const course = useAsync(
    () =>
      apiGet<{ course: { title: string } }>(`/api/courses/join/${encodeURIComponent(code)}`).then(
        (r) => r.course,
      ),
    [code],
  );
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Join a course · eBPF Lab';
  }, []);

  const act = async (work: () => Promise<{ course: { title: string } }>) => {
    setBusy(true);
    setError('');
    try {
      const { course } = await work();
      rememberJoinedCourse(course.title);
      reloadAt('/');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(() => signUp({ joinCode: code, ...form }));
  };
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
    'data-testid': `signup-${name}`,
    required: true,
  });

  return (
    <div className="account-page">
      {course.state === 'loading' && <p className="muted">Loading…</p>}
      {course.state === 'failed' && (
        <p className="form-error" role="alert">
          {course.message}
        </p>
      )}
      {course.state === 'ready' && (
        <>
          <h1>Join “{course.value.title}”</h1>
          {me && me.role === 'student' && (
            <p>
              Signed in as {me.email}.{' '}
              <button
                type="button"
                className="button button-primary"
                disabled={busy}
                onClick={() =>
                  void act(() =>
                    apiPost<{ course: { title: string } }>('/api/courses/join', { joinCode: code }),
                  )
                }
                data-testid="join-course"
              >
                Join this course
              </button>
            </p>
          )}
          {me && me.role === 'instructor' && (
            <p className="muted">
              You are signed in as an instructor; students open this link to join.
            </p>
          )}
          {me === null && (
            <form className="account-form" onSubmit={submit} data-testid="sign-up-form">
              <p className="muted">
                Create your student account. Your runs are kept for your instructor to follow.
              </p>
              <label>
                Name
                <input autoComplete="name" maxLength={100} {...field('name')} />
              </label>
              <label>
                Email
                <input type="email" autoComplete="username" {...field('email')} />
              </label>
              <label>
                Password (at least 8 characters)
                <input
                  type="password"
                  autoComplete="new-password"
                  minLength={8}
                  {...field('password')}
                />
              </label>
              <div className="form-actions">
                <button
                  type="submit"
                  className="button button-primary"
                  disabled={busy}
                  data-testid="sign-up"
                >
                  Create account and join
                </button>
              </div>
            </form>
          )}
          <FormError message={error} />
        </>
      )}
    </div>
  );
}
