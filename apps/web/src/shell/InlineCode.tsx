/** One line of text where `backticks` mark code, as exercise summaries write it. */
export function InlineCode({ text }: { text: string }) {
  const parts = text.split('`');
  // An unmatched backtick is shown as written.
  if (parts.length % 2 === 0) return <>{text}</>;
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
