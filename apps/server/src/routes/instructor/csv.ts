// CSV for grade exports (RFC 4180 quoting). Cells that a spreadsheet would run as a formula
// (a student can name themselves `=HYPERLINK(...)`) are prefixed with a quote.
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value == null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(
  header: string[],
  rows: (string | number | boolean | null | undefined)[][],
): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
