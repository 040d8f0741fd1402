// How the code editor looks, in one place: Monaco (monaco.ts, CodeEditor.tsx) and the quick editor
// shown while Monaco loads (QuickEditor.tsx) both take it from here, so the text does not move or
// change colour when Monaco takes over.
import type { TokenKind } from './c-tokens.ts';

export const EDITOR_FONT_FAMILY =
  "'JetBrains Mono', 'Fira Code', ui-monospace, 'DejaVu Sans Mono', monospace";
/** Space above the first line, in pixels. */
export const EDITOR_PADDING_TOP = 8;
/** What screen readers are told the editor is, and how to leave it. */
export const EDITOR_ARIA_LABEL = 'Program source (C). Press Escape then Tab to leave the editor.';
export const EDITOR_TAB_SIZE = 4;

/** Monaco's own rule on Linux and Windows (1.35 × the font size, rounded), set explicitly. */
export function editorLineHeight(fontSize: number): number {
  return Math.round(fontSize * 1.35);
}

/**
 * Monaco's gutter with this app's options (no glyph margin): the line numbers, at least 5 digits
 * wide (the digit width times the digits, rounded), then 10 px of line decorations and 16 px of
 * folding controls before the text.
 */
export const GUTTER_MIN_DIGITS = 5;
export const GUTTER_DECORATIONS_WIDTH = 10 + 16;

export interface EditorColours {
  background: string;
  foreground: string;
  gutter: string;
  lineNumber: string;
  activeLineNumber: string;
  cursor: string;
  selection: string;
  lineHighlightBorder: string;
  tokens: Record<TokenKind, string>;
  /** Token kinds shown in italics. */
  italic: TokenKind[];
}

/**
 * The lab's two themes. Token colours are those of Monaco's `vs` and `vs-dark` themes for what its
 * C tokenizer produces, with the lab's own comment colour, and its bracket pair colours; Monaco's
 * themes (monaco.ts) set the same editor colours.
 */
export const EDITOR_COLOURS: Record<'light' | 'dark', EditorColours> = {
  light: {
    background: '#ffffff',
    foreground: '#000000',
    gutter: '#fafbfc',
    lineNumber: '#8c959f',
    activeLineNumber: '#24292f',
    cursor: '#000000',
    selection: '#add6ff',
    lineHighlightBorder: '#eeeeee',
    tokens: {
      plain: '#000000',
      keyword: '#0000ff',
      comment: '#6a737d',
      string: '#a31515',
      number: '#098658',
      hex: '#3030c0',
      annotation: '#808080',
      delimiter: '#000000',
      bracket1: '#0431fa',
      bracket2: '#319331',
      bracket3: '#7b3814',
      'bracket-unexpected': 'rgba(255, 18, 18, 0.8)',
    },
    italic: ['comment'],
  },
  dark: {
    background: '#0f1419',
    foreground: '#d4d4d4',
    gutter: '#0f1419',
    lineNumber: '#5c6773',
    activeLineNumber: '#d9dee3',
    cursor: '#aeafad',
    selection: '#264f78',
    lineHighlightBorder: '#282828',
    tokens: {
      plain: '#d4d4d4',
      keyword: '#569cd6',
      comment: '#8b949e',
      string: '#ce9178',
      number: '#b5cea8',
      hex: '#5bb498',
      annotation: '#cc6666',
      delimiter: '#dcdcdc',
      bracket1: '#ffd700',
      bracket2: '#da70d6',
      bracket3: '#179fff',
      'bracket-unexpected': 'rgba(255, 18, 18, 0.8)',
    },
    italic: ['comment'],
  },
};
