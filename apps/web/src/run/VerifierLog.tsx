import { useEffect, useRef } from 'react';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { verifierStats } from './verifier-stats.ts';
import type { VerifierStats } from './verifier-stats.ts';

/** The line of the failing instruction: the one the diagnostic names, else the last one logged. */
export function failingLine(lines: string[], insn: number | undefined): number {
  const insnLine = /^(\d+): \(/;
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = insnLine.exec(lines[i]);
    if (!m) continue;
    if (insn === undefined) last = i;
    else if (Number(m[1]) === insn) last = i;
  }
  return last;
}

/** How the verifier stage of a run ended, as far as the page knows. */
export type VerifierOutcome = 'ok' | 'failed' | 'not-run' | 'pending';

const number = (n: number) => n.toLocaleString('en-US');

function StatsTable({ stats }: { stats: VerifierStats[] }) {
  return (
    <table className="verifier-stats" data-testid="verifier-stats">
      <caption>What the verifier did{stats.length > 1 ? ', per program' : ''}</caption>
      <thead>
        <tr>
          {stats.length > 1 && <th scope="col">Program</th>}
          <th scope="col">Instructions walked</th>
          <th scope="col">Peak states</th>
          <th scope="col">Stack</th>
          <th scope="col">Time</th>
        </tr>
      </thead>
      <tbody>
        {stats.map((s, i) => (
          <tr key={i}>
            {stats.length > 1 && <td>#{i + 1}</td>}
            <td>
              {number(s.processedInsns)}
              {s.insnLimit !== undefined && (
                <span className="muted"> of {number(s.insnLimit)}</span>
              )}
            </td>
            <td>{s.peakStates ?? '–'}</td>
            <td>{s.stackDepth ? `${s.stackDepth.join(' + ')} bytes` : '–'}</td>
            <td>{s.verificationUsec !== undefined ? `${number(s.verificationUsec)} µs` : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NoLog({ outcome }: { outcome: VerifierOutcome }) {
  const text =
    outcome === 'ok'
      ? 'The verifier accepted the programs. This run kept no log of it.'
      : outcome === 'failed'
        ? 'The verifier refused the programs, but this run kept no log of it.'
        : outcome === 'pending'
          ? 'The verifier has not run yet.'
          : 'The verifier did not run (an earlier stage stopped the run), so there is no log.';
  return <p className="empty">{text}</p>;
}

export interface VerifierLogProps {
  log?: string;
  truncated?: boolean;
  outcome: VerifierOutcome;
  diagnostics: Diagnostic[];
}

export function VerifierLog({ log, truncated, outcome, diagnostics }: VerifierLogProps) {
  const marked = useRef<HTMLLIElement>(null);
  const lines = (log ?? '').split('\n');
  const failing = diagnostics.find((d) => d.source === 'verifier');
  const failed = failing ? failingLine(lines, failing.insn) : -1;
  // A block body: an effect's return value is its clean-up, and scrollIntoView returns a Promise
  // in current Chromium, which React would call when the log goes away.
  useEffect(() => {
    marked.current?.scrollIntoView?.({ block: 'nearest' });
  }, [log]);
  const stats = verifierStats(log);
  if (!log) return <NoLog outcome={outcome} />;
  return (
    <div className="verifier">
      {failing && (
        <p className="verifier-error">
          <strong>{failing.message}</strong>
          {failing.explanation && <span> {failing.explanation}</span>}
        </p>
      )}
      {outcome === 'ok' && <p>The verifier accepted the programs.</p>}
      {stats.length > 0 && <StatsTable stats={stats} />}
      <ol className="log" aria-label="Verifier log" data-testid="verifier-log">
        {lines.map((line, i) => (
          <li
            key={i}
            ref={i === failed ? marked : undefined}
            className={i === failed ? 'log-line log-failing' : 'log-line'}
            aria-current={i === failed ? 'true' : undefined}
          >
            {line || ' '}
          </li>
        ))}
      </ol>
      {truncated && <p className="muted small">The log was cut at its size limit.</p>}
    </div>
  );
}
