import { useEffect, useState } from 'react';
import { STAGE_TITLES } from '@ebpf-lab/protocol/constants';
import { CodeWithComments } from '../account/CodeWithComments.tsx';
import {
  apiDelete,
  apiGet,
  apiPatch,
  apiPost,
  formatWhen,
  statusLabel,
  useMe,
} from '../account/account-api.ts';
import type { LineComment, RunSummary, StoredRun } from '../account/account-api.ts';
import { useReloadable } from '../api/use-async.ts';
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
import { useDeskUpdates } from './desk-updates.ts';
import '../account/account.css';

interface StudentLink {
  runId: string;
  studentId: string;
  studentName: string;
}

interface Review {
  run: StoredRun;
  student: { id: string; email: string; name: string } | null;
  exercise: { id: string; title: string; starter: string };
  previous: { id: string; code: string; createdAt: string } | null;
  attempts: RunSummary[];
  comments: LineComment[];
  navigation: {
    previousAttempt: { id: string; createdAt: string } | null;
    nextAttempt: { id: string; createdAt: string } | null;
    previousStudent: StudentLink | null;
    nextStudent: StudentLink | null;
  };
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
  const me = useMe();
  const [tab, setTab] = useState<Tab>('code');
  const [notice, setNotice] = useState('');
  const base = `/api/instructor/courses/${encodeURIComponent(courseId)}/runs/${encodeURIComponent(runId)}`;
  const { data, reload, update } = useReloadable(() => apiGet<Review>(base), [base]);
  useEffect(() => {
    document.title = 'Submission review · eBPF Lab';
  }, []);
  // A run of this student at this exercise changed (a re-run finished, a new attempt came in).
  const watched = data.state === 'ready' ? data.value : null;
  useDeskUpdates(courseId, (event) => {
    if (
      watched &&
      event.studentId === watched.run.userId &&
      event.exerciseId === watched.run.exerciseId
    )
      void reload();
  });

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

  // Comments change in place: the page neither reloads nor moves.
  const comment = async (line: number, body: string) => {
    const made = await apiPost<{ comment: LineComment }>(`${base}/comments`, { line, body });
    update((r) => ({ ...r, comments: [...r.comments, made.comment] }));
  };
  const edit = async (c: LineComment, body: string) => {
    const { comment: changed } = await apiPatch<{ comment: LineComment }>(
      `${base}/comments/${encodeURIComponent(c.id)}`,
      { body },
    );
    update((r) => ({ ...r, comments: r.comments.map((x) => (x.id === c.id ? changed : x)) }));
  };
  const remove = async (c: LineComment) => {
    await apiDelete(`${base}/comments/${encodeURIComponent(c.id)}`);
    update((r) => ({ ...r, comments: r.comments.filter((x) => x.id !== c.id) }));
  };
  const rerun = async () => {
    try {
      const { runIds } = await apiPost<{ runIds: string[] }>(`${base}/rerun`);
      setNotice('Re-run queued: this page shows its result when it is graded.');
      navigate(`/instructor/courses/${courseId}/runs/${runIds[0]}`);
    } catch (e) {
      setNotice(e instanceof Error ? e.message : String(e));
    }
  };
  const runPath = (id: string) => `/instructor/courses/${courseId}/runs/${encodeURIComponent(id)}`;
  const { navigation } = data.value;

  return (
    <div className="account-page">
      <p className="eyebrow">
        <Link href={`/instructor/courses/${courseId}`}>← Course matrix</Link>
      </p>
      <h1>
        {student?.name ?? 'Student'} · {exercise.title}
      </h1>
      <nav className="review-nav" aria-label="Other submissions" data-testid="review-nav">
        {navigation.previousAttempt ? (
          <Link href={runPath(navigation.previousAttempt.id)} data-testid="previous-attempt">
            ← Previous attempt
          </Link>
        ) : (
          <span className="muted">First attempt</span>
        )}
        {navigation.nextAttempt ? (
          <Link href={runPath(navigation.nextAttempt.id)} data-testid="next-attempt">
            Next attempt →
          </Link>
        ) : (
          <span className="muted">Latest attempt</span>
        )}
        <span className="review-nav-students">
          {navigation.previousStudent && (
            <Link href={runPath(navigation.previousStudent.runId)} data-testid="previous-student">
              ← {navigation.previousStudent.studentName}
            </Link>
          )}
          {navigation.nextStudent ? (
            <Link href={runPath(navigation.nextStudent.runId)} data-testid="next-student">
              Next student: {navigation.nextStudent.studentName} →
            </Link>
          ) : (
            <span className="muted">Last student with an attempt</span>
          )}
        </span>
      </nav>
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
              <CodeWithComments
                code={run.code}
                comments={comments}
                onComment={comment}
                meId={me?.id}
                onEdit={edit}
                onDelete={remove}
                theme={theme}
              />
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
