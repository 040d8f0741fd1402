import { useEffect } from 'react';
import { useAsync } from '../api/use-async.ts';
import { CheckList } from '../run/CheckList.tsx';
import { InlineCode } from '../shell/InlineCode.tsx';
import { Link } from '../shell/router.tsx';
import { useResolvedTheme } from '../storage/preferences.ts';
import { CodeWithComments } from './CodeWithComments.tsx';
import { apiGet, apiPost, formatWhen, statusLabel } from './account-api.ts';
import { refreshUnread } from './notifications.ts';
import type { LineComment, StoredRun } from './account-api.ts';
import './account.css';

/** A student's own stored submission, with the comments their instructor left on its lines. */
export default function MySubmissionPage({ runId }: { runId: string }) {
  const data = useAsync(
    () =>
      apiGet<{ run: StoredRun; exercise: { title: string }; comments: LineComment[] }>(
        `/api/submissions/${encodeURIComponent(runId)}`,
      ),
    [runId],
  );
  const theme = useResolvedTheme();
  useEffect(() => {
    document.title = 'Submission · eBPF Lab';
  }, []);
  // Shown, so read: the badge counts only comments the student has not seen.
  const unread = data.state === 'ready' && data.value.comments.some((c) => !c.readAt);
  useEffect(() => {
    if (!unread) return;
    void apiPost(`/api/submissions/${encodeURIComponent(runId)}/read`)
      .then(refreshUnread)
      .catch(() => {
        // Still unread on the server: the badge stays, which is the honest answer.
      });
  }, [unread, runId]);

  return (
    <div className="account-page">
      <p className="eyebrow">
        <Link href="/account">← My submissions</Link>
      </p>
      {data.state === 'loading' && <p className="muted">Loading…</p>}
      {data.state === 'failed' && (
        <p className="form-error" role="alert">
          {data.message}
        </p>
      )}
      {data.state === 'ready' && (
        <>
          <h1>
            {data.value.exercise.title} · {formatWhen(data.value.run.createdAt)}
          </h1>
          <p>
            {statusLabel(data.value.run)}
            {data.value.run.result && (
              <span className="muted">
                {' '}
                · <InlineCode text={data.value.run.result.summary} />
              </span>
            )}
          </p>
          {data.value.comments.length > 0 && (
            <p data-testid="comment-summary">
              Your instructor left {data.value.comments.length} comment
              {data.value.comments.length > 1 ? 's' : ''} on this submission.
            </p>
          )}
          <CodeWithComments
            code={data.value.run.code}
            comments={data.value.comments}
            theme={theme}
          />
          {data.value.run.result && data.value.run.result.checks.length > 0 && (
            <>
              <h2>Checks</h2>
              <CheckList checks={data.value.run.result.checks} />
            </>
          )}
        </>
      )}
    </div>
  );
}
