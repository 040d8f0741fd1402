// `/reset/:token`: sets a new password through the link an instructor (or the lab's
// administrator) handed out. The link works once; a used or expired one says so and what to do.
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useAsync } from '../api/use-async.ts';
import { apiGet, apiPost, refreshSession, reloadAt } from './account-api.ts';
import type { Me } from './account-api.ts';
import './account.css';
import { FormError } from '../shell/FormError.tsx';

export default function ResetPasswordPage({ token }: { token: string }) {
  const account = useAsync(
    () =>
      apiGet<{ account: { email: string; name: string } }>(
        `/api/auth/reset/${encodeURIComponent(token)}`,
      ).then((r) => r.account),
    [token],
  );
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Set your password · eBPF Lab';
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError('');
    if (password !== again) {
      setError('The two passwords differ: type the same one twice.');
      return;
    }
    setBusy(true);
    try {
      // The CSRF token of this signed-out browser comes with the session check.
      await refreshSession();
      const { user } = await apiPost<{ user: Me }>('/api/auth/reset', { token, password });
      reloadAt(user.role === 'instructor' ? '/instructor' : '/');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <div className="account-page">
      <h1>Set your password</h1>
      {account.state === 'loading' && <p className="muted">Checking the link…</p>}
      {account.state === 'failed' && (
        <p role="alert" className="form-error" data-testid="reset-refused">
          {account.message}
        </p>
      )}
      {account.state === 'ready' && (
        <form className="account-form" onSubmit={(e) => void submit(e)} data-testid="reset-form">
          <p>
            For <strong>{account.value.name}</strong> ({account.value.email}). This link works once;
            afterwards, sign in with the new password. Every other session of this account is signed
            out.
          </p>
          <label>
            New password (at least 8 characters)
            <input
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="new-password"
            />
          </label>
          <label>
            The same again
            <input
              type="password"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.target.value)}
              data-testid="new-password-again"
            />
          </label>
          <div className="form-actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={busy}
              data-testid="set-password"
            >
              Set password and sign in
            </button>
          </div>
          <FormError message={error} />
        </form>
      )}
    </div>
  );
}
