// The code editor shown at once on a first load, while Monaco (most of the bundle) loads: a
// textarea over the same text coloured as Monaco colours it, in Monaco's font, line height,
// gutter and theme, so the student can read, select and type straight away and the text does not
// move when Monaco takes over (handover.ts). Its undo history does not survive the hand-over.
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { CSSProperties, KeyboardEvent } from 'react';
import { whenIdle } from '../shell/when-idle.ts';
import { tokenizeC } from './c-tokens.ts';
import type { EditorHandle } from './CodeEditor.tsx';
import {
  EDITOR_ARIA_LABEL,
  EDITOR_COLOURS,
  EDITOR_FONT_FAMILY,
  EDITOR_PADDING_TOP,
  EDITOR_TAB_SIZE,
  GUTTER_DECORATIONS_WIDTH,
  GUTTER_MIN_DIGITS,
  editorLineHeight,
} from './editor-look.ts';
import { focusOutside } from './focus.ts';
import type { Handover } from './handover.ts';
import './quick-editor.css';

/**
 * How long the editor must be left alone (no click into it, no key) before `onQuiet` (Monaco's
 * start-up, half a second to a second of the main thread): a student who clicks into the code as
 * soon as it shows starts typing within that, and Monaco then waits for their first pause rather
 * than hold their first keys.
 */
export const QUIET_MS = 500;

export interface QuickEditorProps {
  initialValue: string;
  theme: 'light' | 'dark';
  fontSize: number;
  onChange(code: string): void;
  onReady?(handle: EditorHandle): void;
  onDispose?(): void;
  /** Receives the text, selection, scroll and focus as this editor goes away. */
  handover: Handover;
  /**
   * Called once the editor has been on screen, left alone for QUIET_MS, at an idle moment:
   * Monaco's start-up holds the main thread for a while, and should not hold up typing.
   */
  onQuiet?(): void;
}

const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escape = (text: string) => text.replace(/[&<>]/g, (c) => ESCAPED[c]!);

/** The coloured lines, one element each, as HTML (the text escaped). */
export function highlightedLines(text: string): string {
  return tokenizeC(text)
    .map(
      (line) =>
        `<div class="quick-editor-line">${line
          .map((t) =>
            t.kind === 'plain'
              ? escape(t.text)
              : `<span class="qt-${t.kind}">${escape(t.text)}</span>`,
          )
          .join('')}</div>`,
    )
    .join('');
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Leading spaces and tabs of the line holding `offset`, up to `offset`. */
function indentationAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/**
 * Replaces the selection with `text` as the student's own edit: undoable with Ctrl+Z, with an
 * `input` event, as typing it would.
 */
function insert(area: HTMLTextAreaElement, text: string): void {
  // execCommand is the only way to edit a textarea and keep its undo history; it edits whatever
  // has the focus, so only while this textarea has it (a Reset from the toolbar does not).
  if (
    document.activeElement === area &&
    typeof document.execCommand === 'function' &&
    document.execCommand('insertText', false, text)
  )
    return;
  area.setRangeText(text, area.selectionStart, area.selectionEnd, 'end');
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Tab and Shift+Tab on a selection of whole lines: one level in or out, as Monaco does. */
function indentLines(area: HTMLTextAreaElement, outdent: boolean): void {
  const { value, selectionStart, selectionEnd } = area;
  const multiLine = value.slice(selectionStart, selectionEnd).includes('\n');
  if (!outdent && !multiLine) {
    insert(area, '\t');
    return;
  }
  const from = value.lastIndexOf('\n', selectionStart - 1) + 1;
  // A selection ending at the start of a line leaves that line alone.
  const last =
    selectionEnd > selectionStart && value[selectionEnd - 1] === '\n'
      ? selectionEnd - 1
      : selectionEnd;
  const lineEnd = value.indexOf('\n', last);
  const to = lineEnd < 0 ? value.length : lineEnd;
  const lines = value.slice(from, to).split('\n');
  const changed = lines.map((line) => {
    if (!outdent) return line === '' ? line : `\t${line}`;
    return line.replace(new RegExp(`^(\\t| {1,${EDITOR_TAB_SIZE}})`), '');
  });
  const block = changed.join('\n');
  if (block === lines.join('\n')) return;
  const firstShift = changed[0]!.length - lines[0]!.length;
  area.setSelectionRange(from, to);
  insert(area, block);
  area.setSelectionRange(
    Math.max(from, selectionStart + firstShift),
    Math.max(from, selectionEnd + block.length - (to - from)),
  );
}

export function QuickEditor(props: QuickEditorProps) {
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const codeRef = useRef<HTMLDivElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;

  // Shows `text` coloured, with a line number per line and the caret's line marked.
  const paint = useRef(() => {});
  paint.current = () => {
    const area = areaRef.current;
    if (!area || !codeRef.current || !gutterRef.current) return;
    codeRef.current.innerHTML = highlightedLines(area.value);
    const lines = lineCount(area.value);
    const gutter = gutterRef.current;
    if (gutter.childElementCount !== lines) {
      gutter.innerHTML = Array.from(
        { length: lines },
        (_, i) => `<div class="quick-editor-number">${i + 1}</div>`,
      ).join('');
      rootRef.current?.style.setProperty(
        '--qe-digits',
        String(Math.max(GUTTER_MIN_DIGITS, String(lines).length)),
      );
    }
    markCaretLine();
  };
  const markCaretLine = () => {
    const area = areaRef.current;
    if (!area || !gutterRef.current || !rootRef.current) return;
    const line = lineCount(area.value.slice(0, area.selectionEnd)) - 1;
    gutterRef.current.querySelector('.active')?.classList.remove('active');
    gutterRef.current.children[line]?.classList.add('active');
    rootRef.current.style.setProperty('--qe-caret-line', String(line));
  };

  useLayoutEffect(() => {
    const area = areaRef.current!;
    paint.current();
    latest.current.onReady?.({
      getValue: () => area.value,
      replaceAll: (text) => {
        area.setSelectionRange(0, area.value.length);
        insert(area, text);
        area.setSelectionRange(0, 0);
        markCaretLine();
      },
      revealLine: (line) => {
        const lines = area.value.split('\n');
        const offset = lines.slice(0, Math.max(0, line - 1)).reduce((n, l) => n + l.length + 1, 0);
        area.focus();
        area.setSelectionRange(offset, offset);
        const lineHeight = editorLineHeight(latest.current.fontSize);
        const scroller = scrollerRef.current;
        if (scroller)
          scroller.scrollTop = Math.max(0, (line - 1) * lineHeight - scroller.clientHeight / 2);
        markCaretLine();
      },
      focus: () => area.focus(),
    });
    const handover = latest.current.handover;
    return () => {
      // Runs before React takes the textarea out of the page, so the focus is still here.
      handover.current = {
        text: area.value,
        selectionStart: area.selectionStart,
        selectionEnd: area.selectionEnd,
        backward: area.selectionDirection === 'backward',
        scrollTop: scrollerRef.current?.scrollTop ?? 0,
        scrollLeft: scrollerRef.current?.scrollLeft ?? 0,
        focused: document.activeElement === area,
      };
      latest.current.onDispose?.();
    };
  }, []);

  // onQuiet: QUIET_MS after the page first fell idle with this editor on screen (what the page
  // does right after its first frame does not count), and after the last click into it or key.
  useEffect(() => {
    const area = areaRef.current!;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelIdle = () => {};
    let fired = false;
    const arm = () => {
      if (fired) return;
      clearTimeout(timer);
      cancelIdle();
      timer = setTimeout(() => {
        cancelIdle = whenIdle(() => {
          fired = true;
          latest.current.onQuiet?.();
        }, 1000);
      }, QUIET_MS);
    };
    cancelIdle = whenIdle(arm, 1000);
    area.addEventListener('keydown', arm);
    area.addEventListener('pointerdown', arm);
    return () => {
      clearTimeout(timer);
      cancelIdle();
      area.removeEventListener('keydown', arm);
      area.removeEventListener('pointerdown', arm);
    };
  }, []);

  // Escape then Tab (or Shift+Tab) leaves the editor, as in Monaco; a modifier alone keeps it.
  const escaped = useRef(false);
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const area = event.currentTarget;
    if (event.key === 'Escape') {
      escaped.current = true;
      return;
    }
    if (['Shift', 'Control', 'Alt', 'Meta'].includes(event.key)) return;
    const wasEscaped = escaped.current;
    escaped.current = false;
    if (event.key === 'Tab' && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (wasEscaped) focusOutside(scrollerRef.current ?? area, event.shiftKey);
      else indentLines(area, event.shiftKey);
    } else if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey && !event.altKey) {
      // A new line keeps the indentation, one level more after an opening brace.
      event.preventDefault();
      const before = area.value.slice(0, area.selectionStart);
      const more = /\{\s*$/.test(before) ? '\t' : '';
      insert(area, `\n${indentationAt(area.value, area.selectionStart)}${more}`);
    }
  };

  const look = EDITOR_COLOURS[props.theme];
  const lineHeight = editorLineHeight(props.fontSize);
  const style = {
    '--qe-font-size': `${props.fontSize}px`,
    '--qe-line-height': `${lineHeight}px`,
    '--qe-padding-top': `${EDITOR_PADDING_TOP}px`,
    '--qe-decorations': `${GUTTER_DECORATIONS_WIDTH}px`,
    '--qe-font': EDITOR_FONT_FAMILY,
    '--qe-tab-size': String(EDITOR_TAB_SIZE),
    '--qe-background': look.background,
    '--qe-foreground': look.foreground,
    '--qe-gutter': look.gutter,
    '--qe-line-number': look.lineNumber,
    '--qe-active-line-number': look.activeLineNumber,
    '--qe-cursor': look.cursor,
    '--qe-selection': look.selection,
    '--qe-line-border': look.lineHighlightBorder,
    ...Object.fromEntries(Object.entries(look.tokens).map(([k, v]) => [`--qt-${k}`, v])),
  } as CSSProperties;

  return (
    <div
      ref={rootRef}
      className="quick-editor"
      data-code-editor="quick"
      data-testid="quick-editor"
      style={style}
    >
      <div ref={scrollerRef} className="quick-editor-scroll">
        <div className="quick-editor-content">
          <div className="quick-editor-gutter" aria-hidden="true">
            <div className="quick-editor-caret-line" />
            <div ref={gutterRef} />
          </div>
          <div className="quick-editor-code">
            <div className="quick-editor-caret-line" aria-hidden="true" />
            <textarea
              ref={areaRef}
              className="quick-editor-input"
              defaultValue={props.initialValue}
              aria-label={EDITOR_ARIA_LABEL}
              aria-roledescription="editor"
              aria-multiline="true"
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              autoCorrect="off"
              wrap="off"
              data-testid="quick-editor-input"
              onKeyDown={onKeyDown}
              onInput={(e) => {
                paint.current();
                latest.current.onChange(e.currentTarget.value);
              }}
              onSelect={markCaretLine}
              onKeyUp={markCaretLine}
              onMouseUp={markCaretLine}
            />
            <div ref={codeRef} className="quick-editor-text" aria-hidden="true" data-code-view="" />
          </div>
        </div>
      </div>
    </div>
  );
}
