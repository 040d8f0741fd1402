// Pure conversions between LSP shapes and Monaco's, testable without Monaco. LSP positions
// are 0-based, Monaco's 1-based.

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface LspDiagnostic {
  range: LspRange;
  severity?: 1 | 2 | 3 | 4;
  code?: string | number;
  source?: string;
  message: string;
}
export interface LspCompletionItem {
  label: string;
  kind?: number;
  detail?: string;
  documentation?: string | { kind: string; value: string };
  insertText?: string;
  filterText?: string;
  sortText?: string;
  textEdit?: { range: LspRange; newText: string };
}

export const CLANGD_MARKER_OWNER = 'clangd';

/** LSP severity (1 error … 4 hint) to Monaco's MarkerSeverity (8, 4, 2, 1), spelled out. */
export const LSP_TO_MONACO_SEVERITY: Record<1 | 2 | 3 | 4, 8 | 4 | 2 | 1> = {
  1: 8,
  2: 4,
  3: 2,
  4: 1,
};

export interface MonacoRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

export function toMonacoRange(range: LspRange): MonacoRange {
  return {
    startLineNumber: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLineNumber: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

export function toMarker(d: LspDiagnostic) {
  const range = toMonacoRange(d.range);
  // A zero-width range is invisible: widen it by one character.
  if (range.startLineNumber === range.endLineNumber && range.endColumn <= range.startColumn) {
    range.endColumn = range.startColumn + 1;
  }
  return {
    ...range,
    severity: LSP_TO_MONACO_SEVERITY[d.severity ?? 1],
    message: d.message,
    source: 'clangd',
    code: d.code === undefined ? undefined : String(d.code),
  };
}

/** LSP CompletionItemKind to Monaco's CompletionItemKind (their numbering differs). */
const KIND: Record<number, number> = {
  1: 18, // Text
  2: 0, // Method
  3: 1, // Function
  4: 2, // Constructor
  5: 3, // Field
  6: 4, // Variable
  7: 5, // Class
  8: 7, // Interface
  9: 8, // Module
  10: 9, // Property
  12: 13, // Value
  13: 15, // Enum
  14: 17, // Keyword
  15: 27, // Snippet
  20: 16, // EnumMember
  21: 14, // Constant
  22: 6, // Struct
  25: 24, // TypeParameter
};

export function documentationText(doc: LspCompletionItem['documentation']): string | undefined {
  if (doc === undefined) return undefined;
  return typeof doc === 'string' ? doc : doc.value;
}

export function toCompletion(item: LspCompletionItem, fallback: MonacoRange) {
  const label = item.label.trim();
  const doc = documentationText(item.documentation);
  return {
    label: item.detail ? { label, description: item.detail } : label,
    kind: KIND[item.kind ?? 1] ?? 18,
    detail: item.detail,
    documentation: doc,
    insertText: item.textEdit?.newText ?? item.insertText ?? label,
    filterText: item.filterText,
    sortText: item.sortText,
    range: item.textEdit ? toMonacoRange(item.textEdit.range) : fallback,
  };
}

export type LspHoverContents =
  | string
  | { kind: string; value: string }
  | { language: string; value: string }
  | (string | { language: string; value: string })[];

export function hoverMarkdown(contents: LspHoverContents): string[] {
  const parts = Array.isArray(contents) ? contents : [contents];
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    if ('language' in p) return `\`\`\`${p.language}\n${p.value}\n\`\`\``;
    return p.kind === 'plaintext' ? p.value.replace(/[\\`*_{}[\]()#+\-.!<>]/g, '\\$&') : p.value;
  });
}
