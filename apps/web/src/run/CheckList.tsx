import { useState } from 'react';
import type { CheckResult } from '@ebpf-lab/protocol';
import { InlineCode } from '../shell/InlineCode.tsx';

const LABEL: Record<CheckResult['status'], string> = {
  pass: 'Passed',
  fail: 'Failed',
  skipped: 'Skipped',
};

function CheckItem({ check }: { check: CheckResult }) {
  const [showHint, setShowHint] = useState(false);
  return (
    <li
      className={`check check-${check.status}`}
      data-testid={`check-${check.id}`}
      data-status={check.status}
    >
      <div className="check-head">
        <span className={`badge badge-${check.status}`}>{LABEL[check.status]}</span>
        <span className="check-title">
          <InlineCode text={check.title} />
        </span>
        {!check.required && <span className="tag">bonus</span>}
        {check.scenario && <span className="tag tag-muted">{check.scenario}</span>}
      </div>
      <p className="check-message">
        <InlineCode text={check.message} />
      </p>
      {check.hint && check.status === 'fail' && (
        <div className="check-hint">
          <button
            type="button"
            className="link-button"
            aria-expanded={showHint}
            onClick={() => setShowHint((v) => !v)}
          >
            {showHint ? 'Hide hint' : 'Show hint'}
          </button>
          {showHint && (
            <p className="hint-text">
              <InlineCode text={check.hint} />
            </p>
          )}
        </div>
      )}
    </li>
  );
}

export function CheckList({ checks }: { checks: CheckResult[] }) {
  if (checks.length === 0) return null;
  const passed = checks.filter((c) => c.status === 'pass').length;
  return (
    <section aria-label="Checks" className="checks">
      <h3 className="section-title">
        Checks{' '}
        <span className="muted">
          {passed} of {checks.length} passed
        </span>
      </h3>
      <ol className="check-list">
        {checks.map((check) => (
          <CheckItem key={check.id} check={check} />
        ))}
      </ol>
    </section>
  );
}
