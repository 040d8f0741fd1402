import { useEffect, useRef } from 'react';
import { monaco } from '../editor/monaco.ts';

/** Monaco's own diff editor, read-only, between two attempts' code. */
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

  useEffect(() => {
    const editor = monaco.editor.createDiffEditor(host.current!, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
    });
    diff.current = editor;
    return () => {
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
      aria-label="Differences between attempts"
    />
  );
}
