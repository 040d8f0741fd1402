import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../shell/router.tsx';
import {
  apiGet,
  formatWhen,
  reloadAt,
  signIn,
  signOut,
  statusLabel,
  useMe,
} from './account-api.ts';
import type { CourseView, Me, RunSummary } from './account-api.ts';
import './account.css';
import { FormError } from '../shell/FormError.tsx';

/**
 * Where to go back after signing in (`/account?next=/exercises/x`, from the run panel's sign-in
 * link): a path on this lab only, never another site (`//host` or a scheme).
 */
export function returnPath(search = window.location.search): string | null {
  const next = new URLSearchParams(search).get('next');
  // Browsers drop tabs and newlines from URLs and read a backslash as `/`:
  // `/\t/evil` would be `//evil`.
  // eslint-disable-next-line no-control-regex
  return next && /^\/(?![/\\])[^\\\s\x00-\x1f]*$/.test(next) ? next : null;
}

function SignInForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await signIn(email, password);
      reloadAt(returnPath() ?? (me.role === 'instructor' ? '/instructor' : '/account'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <form className="account-form" onSubmit={(e) => void submit(e)} data-testid="sign-in-form">
      <label>
        Email
        <input
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="email"
        />
      </label>
      <label>
        Password
        <input
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="password"
        />
      </label>
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={busy}
          data-testid="sign-in"
        >
          Sign in
        </button>
      </div>
      <FormError message={error} />
    </form>
  );
}

interface MyRun extends RunSummary {
  exerciseTitle: string;
  comments: number;
  unreadComments: number;
}

function MySubmissions() {
  const runs = useAsync(
    () => apiGet<{ runs: MyRun[] }>('/api/submissions').then((r) => r.runs),
    [],
  );
  if (runs.state === 'loading') return <p className="muted">Loading your submissions…</p>;
  if (runs.state === 'failed') return <p className="form-error">{runs.message}</p>;
  if (runs.value.length === 0)
    return (
      <p className="empty">No submissions yet: each run you make while signed in is kept here.</p>
    );
  return (
    <table className="account-table" data-testid="my-submissions">
      <thead>
        <tr>
          <th scope="col">Exercise</th>
          <th scope="col">When</th>
          <th scope="col">Result</th>
          <th scope="col">Comments</th>
        </tr>
      </thead>
      <tbody>
        {runs.value.map((r) => (
          <tr key={r.id}>
            <td>
              <Link
                href={`/account/submissions/${encodeURIComponent(r.id)}`}
                data-testid="my-submission"
              >
                {r.exerciseTitle}
              </Link>
              {r.kind === 'rerun' && (
                <span className="tag tag-muted"> re-run by your instructor</span>
              )}
            </td>
            <td>{formatWhen(r.createdAt)}</td>
            <td>{statusLabel(r)}</td>
            <td data-testid="comment-count">
              {r.comments > 0 ? <span className="tag">{r.comments}</span> : ''}
              {r.unreadComments > 0 && (
                <span className="badge" data-testid="unread-comments">
                  {r.unreadComments} new
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SignedIn({ me }: { me: Me }) {
  const courses = useAsync(
    () => apiGet<{ courses: CourseView[] }>('/api/courses').then((r) => r.courses),
    [me.id],
  );
  return (
    <>
      <p data-testid="signed-in-as">
        Signed in as <strong>{me.name}</strong> ({me.email}), {me.role}.{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => void signOut().then(() => reloadAt('/account'))}
          data-testid="sign-out"
        >
          Sign out
        </button>
      </p>
      {me.role === 'instructor' && (
        <p>
          <Link href="/instructor" className="button button-primary">
            Open the instructor desk
          </Link>
        </p>
      )}
      <h2>Courses</h2>
      {courses.state === 'ready' &&
        (courses.value.length === 0 ? (
          <p className="empty">No courses yet.</p>
        ) : (
          <ul className="plain-list" data-testid="my-courses">
            {courses.value.map((c) => (
              <li key={c.id}>
                {c.role !== 'student' ? (
                  <Link href={`/instructor/courses/${c.id}`}>{c.title}</Link>
                ) : (
                  c.title
                )}
                {c.role === 'assistant' && <span className="tag tag-muted"> assistant</span>}
              </li>
            ))}
          </ul>
        ))}
      {me.role === 'student' && (
        <>
          <h2>My submissions</h2>
          <MySubmissions />
        </>
      )}
    </>
  );
}

export default function AccountPage() {
  const me = useMe();
  useEffect(() => {
    document.title = 'Account · eBPF Lab';
  }, []);
  return (
    <div className="account-page">
      <h1>Account</h1>
      {me === undefined && <p className="muted">Loading…</p>}
      {me === null && (
        <>
          <p className="muted">
            The lab works without an account: your code and progress stay in this browser. Sign in
            to have your runs kept for your course. Students get an account through their course's
            join link.
          </p>
          <SignInForm />
        </>
      )}
      {me && <SignedIn me={me} />}
    </div>
  );
}
