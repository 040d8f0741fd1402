import { useEffect, useState } from 'react';
import { STAGE_TITLES } from '@ebpf-lab/protocol';
import { CodeWithComments } from '../account/CodeWithComments.tsx';
import { apiGet, apiPost, formatWhen, statusLabel } from '../account/account-api.ts';
import type { LineComment, RunSummary, StoredRun } from '../account/account-api.ts';
import { useAsync } from '../api/use-async.ts';
import { DiffView } from '../progress/DiffView.tsx';
import { CheckList } from '../run/CheckList.tsx';
import { MapTables } from '../run/MapTables.tsx';
import { SyscallTimeline } from '../run/SyscallTimeline.tsx';
import { VerifierLog } from '../run/VerifierLog.tsx';
import { InlineCode } from '../shell/InlineCode.tsx';
import { PanelBoundary } from '../shell/PanelBoundary.tsx';
import { Link, navigate } from '../shell/router.tsx';
import { TabList, panelId, tabId } from '../shell/Tabs.tsx';
import { useResolvedTheme } from '../storage/preferences.ts';
import '../account/account.css';

interface Review {
  run: StoredRun;
  student: { id: string; email: string; name: string } | null;
  exercise: { id: string; title: string; starter: string };
  previous: { id: string; code: string; createdAt: string } | null;
  attempts: RunSummary[];
  comments: LineComment[];
}

const TABS = [
  'code',
  'starter-diff',
  'previous-diff',
  'checks',
  'timeline',
  'maps',
  'verifier',
] as const;
type Tab = (typeof TABS)[number];
const TAB_TITLES: Record<Tab, string> = {
  code: 'Code and comments',
  'starter-diff': 'Diff against the starter',
  'previous-diff': 'Diff against the previous attempt',
  checks: 'Checks',
  timeline: 'Timeline',
  maps: 'Maps',
  verifier: 'Verifier log',
};

/** `/instructor/courses/:courseId/runs/:runId`: one submission as the student saw it. */
export default function ReviewPage({ courseId, runId }: { courseId: string; runId: string }) {
  const theme = useResolvedTheme();
  const [version, setVersion] = useState(0);
  const [tab, setTab] = useState<Tab>('code');
  const [notice, setNotice] = useState('');
  const base = `/api/instructor/courses/${encodeURIComponent(courseId)}/runs/${encodeURIComponent(runId)}`;
  const data = useAsync(() => apiGet<Review>(base), [base, version]);
  useEffect(() => {
    document.title = 'Submission review · eBPF Lab';
  }, []);

  if (data.state === 'loading') return <p className="page-message">Loading…</p>;
  if (data.state === 'failed')
    return (
      <p className="page-message form-error" role="alert">
        {data.message}
      </p>
    );
  const { run, student, exercise, previous, attempts, comments } = data.value;
  const result = run.result;
  const verifier = result?.stages.find((s) => s.name === 'verifier');

  const comment = async (line: number, body: string) => {
    await apiPost(`${base}/comments`, { line, body });
    setVersion((v) => v + 1);
  };
  const rerun = async () => {
    try {
      const { runIds } = await apiPost<{ runIds: string[] }>(`${base}/rerun`);
      setNotice('Re-run queued: it appears in the attempts below once graded.');
      navigate(`/instructor/courses/${courseId}/runs/${runIds[0]}`);
    } catch (e) {
      setNotice(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="account-page">
      <p className="eyebrow">
        <Link href={`/instructor/courses/${courseId}`}>← Course matrix</Link>
      </p>
      <h1>
        {student?.name ?? 'Student'} · {exercise.title}
      </h1>
      <p data-testid="review-status">
        {formatWhen(run.createdAt)} · {statusLabel(run)}
        {run.kind === 'rerun' && <span className="tag tag-muted"> re-run</span>}
        {result && (
          <span className="muted">
            {' '}
            · <InlineCode text={result.summary} />
          </span>
        )}
        {result && (
          <span className="muted small">
            {' '}
            · kernel {result.versions.kernel}, clang {result.versions.clang}, exercise{' '}
            {result.versions.exerciseHash.slice(0, 8)}
          </span>
        )}
      </p>
      <p className="form-actions">
        <button type="button" className="button" onClick={() => void rerun()}>
          Re-run this submission
        </button>
        <button type="button" className="button" onClick={() => setVersion((v) => v + 1)}>
          Refresh
        </button>
      </p>
      {notice && <p role="status">{notice}</p>}
      <TabList<Tab>
        tabs={TABS.map((t) => ({ id: t, label: TAB_TITLES[t], testId: `review-tab-${t}` }))}
        selected={tab}
        onSelect={setTab}
        idPrefix="review"
        label="Submission"
        className="review-tabs"
        tabClassName={(selected) => (selected ? 'button button-primary' : 'button')}
      />
      <section
        className="review-section"
        role="tabpanel"
        id={panelId('review', tab)}
        aria-labelledby={tabId('review', tab)}
      >
        <PanelBoundary
          title={`The ${TAB_TITLES[tab].toLowerCase()} view`}
          audience="instructor"
          resetKey={`${run.id}/${tab}`}
        >
          {tab === 'code' && (
            <>
              <p className="muted small">
                Select a line number to comment on that line; the student sees it.
              </p>
              <CodeWithComments code={run.code} comments={comments} onComment={comment} />
            </>
          )}
          {tab === 'starter-diff' && (
            <DiffView left={exercise.starter} right={run.code} theme={theme} />
          )}
          {tab === 'previous-diff' &&
            (previous ? (
              <DiffView left={previous.code} right={run.code} theme={theme} />
            ) : (
              <p className="empty">This is the student's first attempt.</p>
            ))}
          {tab === 'checks' &&
            (result && result.checks.length > 0 ? (
              <CheckList checks={result.checks} />
            ) : result ? (
              <p className="empty">
                No checks ran: <InlineCode text={result.summary} />
              </p>
            ) : (
              <p className="empty">No result: {statusLabel(run)}.</p>
            ))}
          {tab === 'timeline' &&
            (result ? (
              <>
                <ol className="plain-list">
                  {result.stages.map((s) => (
                    <li key={s.name}>
                      {STAGE_TITLES[s.name]}: {s.status}, {Math.round(s.durationMs)} ms
                    </li>
                  ))}
                </ol>
                <SyscallTimeline observations={result.observations} />
              </>
            ) : (
              <p className="empty">No result: {statusLabel(run)}.</p>
            ))}
          {tab === 'maps' &&
            (result ? (
              <MapTables observations={result.observations} />
            ) : (
              <p className="empty">No result.</p>
            ))}
          {tab === 'verifier' &&
            (result ? (
              <VerifierLog
                log={verifier?.log}
                truncated={verifier?.truncated}
                outcome={verifier && verifier.status !== 'skipped' ? verifier.status : 'not-run'}
                diagnostics={result.diagnostics}
              />
            ) : (
              <p className="empty">No result.</p>
            ))}
        </PanelBoundary>
      </section>
      <h2>Attempts at this exercise</h2>
      <table className="account-table" data-testid="attempts">
        <tbody>
          {attempts.map((a, i) => (
            <tr key={a.id} aria-current={a.id === run.id ? 'true' : undefined}>
              <td>#{i + 1}</td>
              <td>
                <Link href={`/instructor/courses/${courseId}/runs/${a.id}`}>
                  {formatWhen(a.createdAt)}
                </Link>
                {a.kind === 'rerun' && <span className="tag tag-muted"> re-run</span>}
              </td>
              <td>{statusLabel(a)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
