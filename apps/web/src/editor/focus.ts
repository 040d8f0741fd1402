const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Moves focus to the next (or previous) focusable element outside `container`. */
export function focusOutside(container: HTMLElement, backwards: boolean): void {
  const all = Array.from(document.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.closest('[aria-hidden="true"]') && el.getClientRects().length > 0,
  );
  const outside = all.filter((el) => !container.contains(el));
  const before = outside.filter(
    (el) => container.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING,
  );
  const after = outside.filter(
    (el) => container.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING,
  );
  const target = backwards ? before[before.length - 1] : after[0];
  (target ?? (backwards ? outside[outside.length - 1] : outside[0]))?.focus();
}
