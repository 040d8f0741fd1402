import { useEffect, useRef } from 'react';
import type { Diagnostic } from '@ebpf-lab/protocol';

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

export function VerifierLog({ log, diagnostics, truncated }: { log?: string; diagnostics: Diagnostic[]; truncated?: boolean }) {
  const marked = useRef<HTMLLIElement>(null);
  const lines = (log ?? '').split('\n');
  const failing = diagnostics.find((d) => d.source === 'verifier');
  const failed = failing ? failingLine(lines, failing.insn) : -1;
  useEffect(() => marked.current?.scrollIntoView?.({ block: 'nearest' }), [log]);
  if (!log) return <p className="empty">The verifier did not run, so there is no log.</p>;
  return (
    <div className="verifier">
      {failing && (
        <p className="verifier-error">
          <strong>{failing.message}</strong>
          {failing.explanation && <span> {failing.explanation}</span>}
        </p>
      )}
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
