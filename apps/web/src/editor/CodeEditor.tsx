import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { attachAll } from './editor-hooks.ts';
import type { EditorNotice } from './editor-context.ts';
import {
  EDITOR_ARIA_LABEL,
  EDITOR_FONT_FAMILY,
  EDITOR_PADDING_TOP,
  EDITOR_TAB_SIZE,
  editorLineHeight,
} from './editor-look.ts';
import { EditorStatus } from './EditorStatus.tsx';
import { focusOutside } from './focus.ts';
import { selectionOf } from './handover.ts';
import type { Handover } from './handover.ts';
import { MARKER_OWNERS, markerOwner, markersByOwner } from './markers.ts';
import { monaco } from './monaco.ts';

const MODIFIERS = new Set([
  monaco.KeyCode.Shift,
  monaco.KeyCode.Ctrl,
  monaco.KeyCode.Alt,
  monaco.KeyCode.Meta,
]);

export interface EditorHandle {
  getValue(): string;
  /** Replaces the whole text as one undoable edit (Ctrl/Cmd+Z brings the old text back). */
  replaceAll(text: string): void;
  revealLine(line: number): void;
  focus(): void;
}

export interface CodeEditorProps {
  exerciseId: string;
  initialValue: string;
  /**
   * The quick editor this one replaces: its text, selection, scroll and focus carry over (read
   * when the editor is created, in the commit that removes the quick editor).
   */
  handover?: Handover;
  diagnostics: Diagnostic[];
  theme: 'light' | 'dark';
  fontSize: number;
  vim: boolean;
  onChange(code: string): void;
  onRun(): void;
  onSave(): void;
  onReady?(handle: EditorHandle): void;
  /** The editor behind the last handle is gone (unmounted, or its panel failed). */
  onDispose?(): void;
}

export function CodeEditor(props: CodeEditorProps) {
  const container = useRef<HTMLDivElement>(null);
  const status = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const [notice, setNotice] = useState<EditorNotice | null>(null);
  // Commands are registered once; they read the latest callbacks through this ref.
  const latest = useRef(props);
  latest.current = props;

  // A layout effect: created in the same task as the quick editor goes, so keys typed meanwhile
  // reach this editor, which then has the focus, rather than the page.
  useLayoutEffect(() => {
    const host = container.current!;
    const uri = monaco.Uri.parse(`file:///exercises/${props.exerciseId}.bpf.c`);
    monaco.editor.getModel(uri)?.dispose();
    const seed = props.handover?.current ?? null;
    const model = monaco.editor.createModel(seed?.text ?? props.initialValue, 'c', uri);
    const editor = monaco.editor.create(host, {
      model,
      theme: props.theme === 'dark' ? 'lab-dark' : 'lab-light',
      fontSize: props.fontSize,
      lineHeight: editorLineHeight(props.fontSize),
      fontFamily: EDITOR_FONT_FAMILY,
      automaticLayout: true,
      minimap: { enabled: false },
      // Nothing of the lab's draws in it; without it the text starts where the quick editor's does.
      glyphMargin: false,
      scrollBeyondLastLine: false,
      renderLineHighlight: 'all',
      tabSize: EDITOR_TAB_SIZE,
      insertSpaces: false,
      fixedOverflowWidgets: true,
      ariaLabel: EDITOR_ARIA_LABEL,
      padding: { top: EDITOR_PADDING_TOP },
    });
    editorRef.current = editor;
    if (seed) {
      editor.setSelection(selectionOf(seed));
      editor.setScrollPosition({ scrollTop: seed.scrollTop, scrollLeft: seed.scrollLeft });
      if (seed.focused) editor.focus();
    }
    // The element showing the text, as the quick editor marks its own (the benchmark reads it).
    host.querySelector('.view-lines')?.setAttribute('data-code-view', '');
    // Read by `npm run bench`'s first-load measurement (scripts/bench/web.ts).
    performance.mark('lab:editor-ready');

    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => latest.current.onRun());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => latest.current.onSave());

    // Never trap focus: Escape, then Tab (or Shift+Tab), leaves the editor. A modifier pressed on
    // its own in between (the Shift of Shift+Tab has its own key-down) keeps the escape.
    let escaped = false;
    const keys = editor.onKeyDown((event) => {
      if (event.keyCode === monaco.KeyCode.Escape) {
        escaped = true;
        return;
      }
      if (MODIFIERS.has(event.keyCode)) return;
      if (event.keyCode === monaco.KeyCode.Tab && escaped) {
        event.preventDefault();
        event.stopPropagation();
        focusOutside(host, event.shiftKey);
      }
      escaped = false;
    });
    const changes = model.onDidChangeContent(() => latest.current.onChange(model.getValue()));

    latest.current.onReady?.({
      getValue: () => model.getValue(),
      replaceAll: (text) => {
        editor.pushUndoStop();
        editor.executeEdits('reset', [{ range: model.getFullModelRange(), text }]);
        editor.pushUndoStop();
      },
      revealLine: (line) => {
        editor.revealLineInCenter(line);
        editor.setPosition({ lineNumber: line, column: 1 });
        editor.focus();
      },
      focus: () => editor.focus(),
    });

    let disposed = false;
    let detach: (() => void) | undefined;
    const notify = (next: EditorNotice | null) => {
      if (!disposed) setNotice(next);
    };
    void attachAll({
      editor,
      monaco,
      model,
      exerciseId: props.exerciseId,
      setNotice: notify,
    }).then((cleanup) => {
      if (disposed) cleanup();
      else detach = cleanup;
    });

    return () => {
      disposed = true;
      latest.current.onDispose?.();
      detach?.();
      setNotice(null);
      keys.dispose();
      changes.dispose();
      editor.dispose();
      model.dispose();
      editorRef.current = null;
    };
    // The editor lives as long as the exercise; option changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.exerciseId]);

  useEffect(() => {
    monaco.editor.setTheme(props.theme === 'dark' ? 'lab-dark' : 'lab-light');
  }, [props.theme]);

  useEffect(() => {
    editorRef.current?.updateOptions({
      fontSize: props.fontSize,
      lineHeight: editorLineHeight(props.fontSize),
    });
  }, [props.fontSize]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    const grouped = markersByOwner(
      props.diagnostics,
      (l) => model.getLineLength(l),
      model.getLineCount(),
    );
    for (const owner of MARKER_OWNERS) {
      monaco.editor.setModelMarkers(model, markerOwner(owner), grouped.get(owner) ?? []);
    }
  }, [props.diagnostics]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!props.vim || !editor || !status.current) return;
    let vim: { dispose(): void } | undefined;
    let cancelled = false;
    void import('monaco-vim').then(({ initVimMode }) => {
      if (cancelled || !status.current) return;
      vim = initVimMode(editor as never, status.current) as { dispose(): void };
    });
    return () => {
      cancelled = true;
      vim?.dispose();
      if (status.current) status.current.textContent = '';
    };
  }, [props.vim, props.exerciseId]);

  return (
    <div className="code-editor">
      <div
        ref={container}
        className="code-editor-host"
        data-testid="code-editor"
        data-code-editor="monaco"
      />
      <EditorStatus notice={notice} />
      {props.vim && (
        <div ref={status} className="vim-status" aria-live="polite" data-testid="vim-status" />
      )}
    </div>
  );
}
