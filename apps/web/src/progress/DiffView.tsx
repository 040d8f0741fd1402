import { useEffect, useRef, useState } from 'react';
import { monaco } from '../editor/monaco.ts';

/**
 * Monaco's own diff editor, read-only, between two attempts' code. Unchanged stretches are
 * folded (a click unfolds them) and it opens at the first change, which in a long file is
 * otherwise off screen.
 */
export function DiffView({
  left,
  right,
  theme,
}: {
  left: string;
  right: string;
  theme: 'light' | 'dark';
}) {
  const host = useRef<HTMLDivElement>(null);
  const diff = useRef<monaco.editor.IStandaloneDiffEditor | null>(null);
  const [firstChange, setFirstChange] = useState<number | null>(null);

  useEffect(() => {
    const editor = monaco.editor.createDiffEditor(host.current!, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      hideUnchangedRegions: { enabled: true, contextLineCount: 3, minimumLineCount: 3 },
    });
    diff.current = editor;
    const computed = editor.onDidUpdateDiff(() => {
      const first = editor.getLineChanges()?.[0];
      if (!first) return setFirstChange(0);
      // A deletion has no modified line of its own: show the line after it.
      const line = Math.max(1, first.modifiedStartLineNumber || first.modifiedEndLineNumber + 1);
      editor.getModifiedEditor().revealLineNearTop(line);
      setFirstChange(line);
    });
    return () => {
      computed.dispose();
      const model = editor.getModel();
      editor.dispose();
      model?.original.dispose();
      model?.modified.dispose();
      diff.current = null;
    };
  }, []);

  useEffect(() => {
    const editor = diff.current;
    if (!editor) return;
    const old = editor.getModel();
    setFirstChange(null);
    editor.setModel({
      original: monaco.editor.createModel(left, 'c'),
      modified: monaco.editor.createModel(right, 'c'),
    });
    old?.original.dispose();
    old?.modified.dispose();
  }, [left, right]);

  useEffect(() => {
    monaco.editor.setTheme(theme === 'dark' ? 'lab-dark' : 'lab-light');
  }, [theme]);

  return (
    <div
      ref={host}
      className="diff-host"
      data-testid="diff-view"
      data-first-change={firstChange ?? undefined}
      aria-label="Differences between attempts"
    />
  );
}
