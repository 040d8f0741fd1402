import { useEffect } from 'react';
import { useAsync } from '../api/use-async.ts';
import { CheckList } from '../run/CheckList.tsx';
import { InlineCode } from '../shell/InlineCode.tsx';
import { Link } from '../shell/router.tsx';
import { CodeWithComments } from './CodeWithComments.tsx';
import { apiGet, formatWhen, statusLabel } from './account-api.ts';
import type { LineComment, StoredRun } from './account-api.ts';
import './account.css';

/** A student's own stored submission, with the comments their instructor left on its lines. */
export default function MySubmissionPage({ runId }: { runId: string }) {
  const data = useAsync(
    () =>
      apiGet<{ run: StoredRun; comments: LineComment[] }>(
        `/api/submissions/${encodeURIComponent(runId)}`,
      ),
    [runId],
  );
  useEffect(() => {
    document.title = 'Submission · eBPF Lab';
  }, []);

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
            {data.value.run.exerciseId} · {formatWhen(data.value.run.createdAt)}
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
          <CodeWithComments code={data.value.run.code} comments={data.value.comments} />
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
