// What the quick editor hands to Monaco when Monaco takes over: the text, the selection, the
// scroll position and whether it had the focus, taken in the same task as Monaco is created, so
// nothing typed or selected in between is lost.

export interface EditorSnapshot {
  text: string;
  /** Offsets in `text`, as a textarea gives them. */
  selectionStart: number;
  selectionEnd: number;
  /** The selection was made leftwards: the caret is at its start. */
  backward: boolean;
  scrollTop: number;
  scrollLeft: number;
  focused: boolean;
}

/** Filled by the quick editor as it goes away; read by the editor created in its place. */
export interface Handover {
  current: EditorSnapshot | null;
}

/** 1-based line and column of an offset, as Monaco counts them. */
export function positionAt(text: string, offset: number): { lineNumber: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  let lineNumber = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) lineNumber++;
  return { lineNumber, column: before.length - lineStart + 1 };
}

/** Monaco's selection for a snapshot: anchor where the student started, caret where they are. */
export function selectionOf(snapshot: EditorSnapshot) {
  const start = positionAt(snapshot.text, snapshot.selectionStart);
  const end = positionAt(snapshot.text, snapshot.selectionEnd);
  const [anchor, caret] = snapshot.backward ? [end, start] : [start, end];
  return {
    selectionStartLineNumber: anchor.lineNumber,
    selectionStartColumn: anchor.column,
    positionLineNumber: caret.lineNumber,
    positionColumn: caret.column,
  };
}
