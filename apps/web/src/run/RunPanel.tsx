import { useEffect, useState } from 'react';
import type { Diagnostic, ExerciseSummary } from '@ebpf-lab/protocol';
import { STAGE_TITLES } from '@ebpf-lab/protocol/constants';
import { InlineCode } from '../shell/InlineCode.tsx';
import { PanelBoundary } from '../shell/PanelBoundary.tsx';
import { Link } from '../shell/router.tsx';
import { TabList, panelId, tabId } from '../shell/Tabs.tsx';
import { CheckList } from './CheckList.tsx';
import { EventStream } from './EventStream.tsx';
import type { LiveRun } from './live-run.ts';
import { MapTables } from './MapTables.tsx';
import { StageBar } from './StageBar.tsx';
import { SyscallTimeline } from './SyscallTimeline.tsx';
import { VerifierLog } from './VerifierLog.tsx';
import type { VerifierOutcome } from './VerifierLog.tsx';
import type { LiveStage } from './live-run.ts';

const TABS = ['result', 'output', 'timeline', 'maps', 'verifier'] as const;
type Tab = (typeof TABS)[number];
const TAB_TITLES: Record<Tab, string> = {
  result: 'Result',
  output: 'Output',
  timeline: 'Timeline',
  maps: 'Maps',
  verifier: 'Verifier log',
};

function Verdict({ run, next }: { run: LiveRun; next?: ExerciseSummary }) {
  if (run.phase === 'sending') return <p className="verdict verdict-wait">Sending your program…</p>;
  if (run.phase === 'queued') {
    return (
      <p className="verdict verdict-wait" data-testid="queue">
        {run.queuePosition !== undefined && run.queuePosition > 0
          ? `Waiting in the queue: position ${run.queuePosition}.`
          : 'Starting…'}
      </p>
    );
  }
  if (run.phase === 'running') return <p className="verdict verdict-wait">Running…</p>;
  if (run.error?.code === 'sign-in-required') return <SignInToRun exerciseId={run.exerciseId} />;
  if (run.error) {
    return (
      <div className="verdict verdict-error" role="alert" data-testid="verdict" data-status="error">
        <strong>{refusalTitle(run.error)}</strong>
        <span>{run.error.message}</span>
      </div>
    );
  }
  const result = run.result;
  if (!result) return null;
  const title =
    result.status === 'pass'
      ? 'Passed'
      : result.status === 'fail'
        ? 'Not yet'
        : errorTitle(result.errorKind);
  return (
    <div
      className={`verdict verdict-${result.status}`}
      role="status"
      data-testid="verdict"
      data-status={result.status}
    >
      <strong>{title}</strong>
      <span>
        <InlineCode text={result.summary} />
      </span>
      {!result.gradable && <span className="muted">It cost no attempt.</span>}
      {result.limits.length > 0 && (
        <ul className="limits">
          {result.limits.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
      {result.status === 'pass' && next && (
        <Link
          className="button button-primary next-link"
          href={`/exercises/${encodeURIComponent(next.id)}`}
        >
          Next: {next.title} →
        </Link>
      )}
    </div>
  );
}

/**
 * A lab open to the network runs programs for signed-in students only. Not an error: the student
 * did nothing wrong, they need an account (from the course's join link) or to sign in.
 */
function SignInToRun({ exerciseId }: { exerciseId: string }) {
  const back = `/exercises/${encodeURIComponent(exerciseId)}`;
  return (
    <div
      className="verdict verdict-sign-in"
      role="status"
      data-testid="verdict"
      data-status="sign-in"
    >
      <strong>Sign in to run your program</strong>
      <span>
        This lab asks students to sign in before running programs, so that only its students load
        code into its kernel. Your code stays saved in this browser.
      </span>
      <span>
        <Link href={`/account?next=${encodeURIComponent(back)}`} data-testid="sign-in-link">
          Sign in
        </Link>{' '}
        and run again. No account yet? Open your course's join link (your instructor has it): it
        creates one.
      </span>
    </div>
  );
}

/** The server names the limit in its message; the heading says which kind of refusal it is. */
export function refusalTitle(error: NonNullable<LiveRun['error']>): string {
  switch (error.code) {
    case 'rate-limited':
      if (/busy/i.test(error.message)) return 'The lab is busy';
      if (/\btabs?\b/i.test(error.message) && /connection/i.test(error.message)) {
        return 'Too many open tabs';
      }
      return 'Too many runs';
    case 'too-large':
      return 'Too large to run';
    case 'unknown-exercise':
      return 'Unknown exercise';
    case 'not-in-course':
      return 'Not in this course';
    default:
      return 'The run could not finish';
  }
}

function errorTitle(kind: string | undefined): string {
  switch (kind) {
    case 'compile':
      return 'Does not compile';
    case 'static':
      return 'Refused by the static checks';
    case 'verifier':
      return 'Refused by the verifier';
    case 'attach':
      return 'Could not attach';
    case 'timeout':
      return 'Timed out';
    case 'limit':
      return 'Stopped at a limit';
    default:
      return 'Lab error';
  }
}

function DiagnosticList({
  diagnostics,
  onReveal,
}: {
  diagnostics: Diagnostic[];
  onReveal(line: number): void;
}) {
  const shown = diagnostics.filter((d) => d.source !== 'clangd');
  if (shown.length === 0) return null;
  return (
    <section aria-label="Problems" className="problems">
      <h3 className="section-title">Problems</h3>
      <ul className="problem-list" data-testid="problems">
        {shown.map((d, i) => (
          <li key={i} className={`problem problem-${d.severity}`}>
            <span className={`sev sev-${d.severity}`}>{d.severity}</span>
            {d.line > 0 ? (
              <button type="button" className="link-button" onClick={() => onReveal(d.line)}>
                line {d.line}
                {d.column ? `:${d.column}` : ''}
              </button>
            ) : (
              <span className="muted">{d.source}</span>
            )}
            <span className="problem-message">{d.message}</span>
            {d.explanation && <p className="problem-explanation">{d.explanation}</p>}
            {d.suggestion && <p className="problem-explanation">{d.suggestion}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A stage log that only repeats the problems listed above it is not shown twice. */
function repeatsDiagnostics(log: string, diagnostics: Diagnostic[]): boolean {
  return (
    log.trim() ===
    diagnostics
      .map((d) => d.message)
      .join('\n')
      .trim()
  );
}

function verifierOutcome(stage: LiveStage | undefined): VerifierOutcome {
  if (stage?.state === 'ok' || stage?.state === 'failed') return stage.state;
  if (stage?.state === 'pending' || stage?.state === 'running') return 'pending';
  return 'not-run';
}

export interface RunPanelProps {
  run: LiveRun | null;
  next?: ExerciseSummary;
  onReveal(line: number): void;
}

export function RunPanel({ run, next, onReveal }: RunPanelProps) {
  const [tab, setTab] = useState<Tab>('result');
  const verifierFailed = run?.stages.find((s) => s.name === 'verifier')?.state === 'failed';
  useEffect(() => {
    if (verifierFailed) setTab('result');
  }, [verifierFailed]);

  if (!run) {
    return (
      <div className="run-panel run-empty">
        <p className="empty">
          Run your program to see each stage, what it submitted and the checks. <kbd>Ctrl</kbd>+
          <kbd>Enter</kbd> runs from the editor.
        </p>
      </div>
    );
  }
  const observations = run.result?.observations ?? [];
  const diagnostics = run.result?.diagnostics ?? [];
  const failedStage = run.stages.find((s) => s.state === 'failed');
  const verifier = run.stages.find((s) => s.name === 'verifier');
  const live = run.phase !== 'done' && run.phase !== 'interrupted';

  const outputCount = run.events.filter((e) => e.kind !== 'scenario').length;
  const tabs = TABS.map((t) => ({
    id: t,
    label: (
      <>
        {TAB_TITLES[t]}
        {t === 'output' && outputCount > 0 && <span className="count">{outputCount}</span>}
      </>
    ),
  }));

  return (
    <div
      className="run-panel"
      data-testid="run-panel"
      data-phase={run.phase}
      data-request={run.requestId}
    >
      <StageBar run={run} />
      <Verdict run={run} next={next} />
      <TabList<Tab>
        tabs={tabs}
        selected={tab}
        onSelect={setTab}
        idPrefix="run"
        label="Run details"
        className="tabs"
        tabClassName={() => 'tab'}
      />
      <div
        className="tab-panel"
        role="tabpanel"
        id={panelId('run', tab)}
        aria-labelledby={tabId('run', tab)}
        tabIndex={0}
      >
        <PanelBoundary
          title={`The ${TAB_TITLES[tab]} tab`}
          audience="student"
          resetKey={`${run.requestId}/${tab}`}
        >
          {tab === 'result' && (
            <>
              <DiagnosticList diagnostics={diagnostics} onReveal={onReveal} />
              {failedStage?.log &&
                failedStage.name !== 'verifier' &&
                !repeatsDiagnostics(failedStage.log, diagnostics) && (
                  <section aria-label={`${STAGE_TITLES[failedStage.name]} output`}>
                    <h3 className="section-title">{STAGE_TITLES[failedStage.name]} output</h3>
                    <pre className="stage-log" data-testid={`log-${failedStage.name}`}>
                      {failedStage.log}
                    </pre>
                  </section>
                )}
              {failedStage?.name === 'verifier' && (
                <p>
                  <button type="button" className="link-button" onClick={() => setTab('verifier')}>
                    Open the full verifier log
                  </button>
                </p>
              )}
              <CheckList checks={run.checks} />
              {!live && !failedStage && run.checks.length === 0 && !run.error && (
                <p className="empty">This run has no checks to show.</p>
              )}
            </>
          )}
          {tab === 'output' && <EventStream events={run.events} live={live} />}
          {tab === 'timeline' && <SyscallTimeline observations={observations} />}
          {tab === 'maps' && <MapTables observations={observations} />}
          {tab === 'verifier' && (
            <VerifierLog
              log={verifier?.log}
              truncated={verifier?.truncated}
              outcome={verifierOutcome(verifier)}
              diagnostics={diagnostics}
            />
          )}
        </PanelBoundary>
      </div>
    </div>
  );
}
