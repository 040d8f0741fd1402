// A button whose action waits for a second, explicit click: the first shows what will happen and
// offers to go ahead or cancel, in place (no browser dialog, which blocks the whole page).
import { useState } from 'react';
import type { ReactNode } from 'react';

export function ConfirmButton({
  children,
  question,
  confirmLabel,
  onConfirm,
  danger = false,
  disabled = false,
  testId,
}: {
  children: ReactNode;
  /** Says what will happen, with the numbers and names involved. */
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
  disabled?: boolean;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className={`button${danger ? ' button-danger' : ''}`}
        disabled={disabled}
        onClick={() => setAsking(true)}
        data-testid={testId}
      >
        {children}
      </button>
    );
  }
  const go = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span className="confirm" role="group" aria-label="Confirm" data-testid="confirm">
      <span>{question}</span>{' '}
      <button
        type="button"
        className={`button${danger ? ' button-danger' : ' button-primary'}`}
        disabled={busy}
        onClick={() => void go()}
        data-testid="confirm-yes"
      >
        {confirmLabel}
      </button>{' '}
      <button
        type="button"
        className="button button-ghost"
        disabled={busy}
        onClick={() => setAsking(false)}
        data-testid="confirm-no"
      >
        Cancel
      </button>
    </span>
  );
}
