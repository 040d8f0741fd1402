import type { Diagnostic, DiagnosticSource, Severity } from '@ebpf-lab/protocol';

// Monaco's MarkerSeverity values, spelled out so the mapping is explicit and testable without
// loading Monaco (Error 8, Warning 4, Info 2, Hint 1).
export const MARKER_SEVERITY: Record<Severity, 8 | 4 | 2 | 1> = {
  error: 8,
  warning: 4,
  info: 2,
  hint: 1,
};

/** One marker owner per source, so a new compile clears clang's markers but not the grader's. */
export const MARKER_OWNERS = ['clang', 'static', 'verifier', 'attach', 'grader'] as const;
export type MarkerOwner = (typeof MARKER_OWNERS)[number];

export const markerOwner = (source: MarkerOwner) => `ebpf-lab.${source}`;

export interface MarkerData {
  severity: 8 | 4 | 2 | 1;
  message: string;
  source: string;
  code?: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/**
 * Groups the run's diagnostics by owner. clangd's live diagnostics are not ours (the LSP module
 * owns them), and a diagnostic with no line in the student's file has no place in the editor.
 */
export function markersByOwner(
  diagnostics: Diagnostic[],
  lineLength: (line: number) => number,
  lineCount: number,
): Map<MarkerOwner, MarkerData[]> {
  const grouped = new Map<MarkerOwner, MarkerData[]>(MARKER_OWNERS.map((o) => [o, []]));
  for (const d of diagnostics) {
    if (d.source === 'clangd') continue;
    if (d.line < 1 || d.line > lineCount) continue;
    const owner: MarkerOwner = d.source satisfies Exclude<DiagnosticSource, 'clangd'>;
    const startColumn = Math.max(1, d.column || 1);
    let endLineNumber = d.endLine && d.endLine >= d.line ? Math.min(d.endLine, lineCount) : d.line;
    let endColumn = d.endColumn && d.endColumn > 0 ? d.endColumn : 0;
    if (endLineNumber === d.line && endColumn <= startColumn) {
      // No range given: underline to the end of the line so the marker is visible.
      endLineNumber = d.line;
      endColumn = Math.max(startColumn + 1, lineLength(d.line) + 1);
    }
    const message = [d.message, d.explanation, d.suggestion].filter(Boolean).join('\n\n');
    grouped.get(owner)!.push({
      severity: MARKER_SEVERITY[d.severity],
      message,
      source: d.source,
      code: d.code,
      startLineNumber: d.line,
      startColumn,
      endLineNumber,
      endColumn,
    });
  }
  return grouped;
}
