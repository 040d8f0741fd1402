import type { ScenarioObservation } from '@ebpf-lab/protocol';
import { hexToBytes, printable } from './bytes.ts';
import { buildTimeline } from './timeline.ts';
import type { TimelineRow } from './timeline.ts';

function describe(row: TimelineRow): string {
  switch (row.kind) {
    case 'open':
      return `open ${row.path ?? '?'} → ${row.failed ? `error ${row.ret}` : `fd ${row.ret ?? '?'}`}`;
    case 'read':
      return `read fd ${row.fd ?? '?'}, asked ${row.requested ?? '?'} → ${row.failed ? `error ${row.ret}` : `${row.ret ?? '?'} bytes`}`;
    case 'close':
      return `close fd ${row.fd ?? '?'}`;
    default:
      return `${row.name} → ${row.ret ?? '?'}`;
  }
}

function ScenarioTimeline({ obs }: { obs: ScenarioObservation }) {
  const timeline = buildTimeline(obs);
  const span = Math.max(1, timeline.durationUs);
  const captured = timeline.rows.filter((r) => r.captured.length > 0).length;
  const missed = timeline.rows.filter((r) => r.missed).length;
  return (
    <section
      className="timeline"
      aria-label={`Syscalls of scenario ${obs.scenario}`}
      data-testid="timeline"
    >
      <h3 className="section-title">
        {obs.scenario}{' '}
        <span className="muted">
          {timeline.rows.length} syscalls · {captured} reads captured · {missed} missed
        </span>
      </h3>
      {timeline.rows.length === 0 ? (
        <p className="empty">The platform recorded no syscalls of the target in this scenario.</p>
      ) : (
        <ol className="timeline-rows">
          {timeline.rows.map((row) => {
            const state = row.captured.length > 0 ? 'captured' : row.missed ? 'missed' : 'plain';
            return (
              <li
                key={row.index}
                className={`tl-row tl-${row.kind} tl-${state}`}
                data-testid="timeline-row"
                data-state={state}
              >
                <span className="tl-time">{(row.atUs / 1000).toFixed(3)} ms</span>
                <span className="tl-track" aria-hidden="true">
                  <span className="tl-dot" style={{ left: `${(row.atUs / span) * 100}%` }} />
                </span>
                <span className="tl-label">
                  <span className={`tl-kind tl-kind-${row.kind}`}>
                    {row.kind === 'other' ? row.name : row.kind}
                  </span>
                  {describe(row)}
                  {row.path && row.kind !== 'open' && <span className="muted"> ({row.path})</span>}
                </span>
                <span className="tl-mark">
                  {state === 'captured' && (
                    <span
                      className="badge badge-pass"
                      title={printable(row.captured.flatMap((s) => hexToBytes(s.data)))}
                    >
                      captured {row.captured.reduce((n, s) => n + s.data.length / 2, 0)} B
                    </span>
                  )}
                  {state === 'missed' && <span className="badge badge-fail">missed</span>}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {timeline.unmatched.length > 0 && (
        <p className="muted small">
          {timeline.unmatched.length} submission(s) came before any read of their thread.
        </p>
      )}
    </section>
  );
}

export function SyscallTimeline({ observations }: { observations: ScenarioObservation[] }) {
  if (observations.length === 0) {
    return (
      <p className="empty">
        No scenario ran, so there is no timeline. Fix the errors above and run again.
      </p>
    );
  }
  return (
    <div className="timelines">
      <p className="legend small">
        <span className="badge badge-pass">captured</span> a submission followed this read on the
        same thread · <span className="badge badge-fail">missed</span> the read returned data your
        program did not submit
      </p>
      {observations.map((obs) => (
        <ScenarioTimeline key={obs.scenario} obs={obs} />
      ))}
    </div>
  );
}
