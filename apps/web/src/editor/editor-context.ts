// What a module attached to the editor gets (editor-hooks.ts attaches them).
import type * as MonacoApi from 'monaco-editor/editor/editor.api';

/** A short line in the editor's status area: why something the editor offers is missing. */
export interface EditorNotice {
  /** Stable per kind of notice, for tests and styles. */
  id: string;
  tone: 'info' | 'warn';
  text: string;
  link?: { label: string; href: string };
}

export interface EditorContext {
  editor: MonacoApi.editor.IStandaloneCodeEditor;
  monaco: typeof MonacoApi;
  model: MonacoApi.editor.ITextModel;
  exerciseId: string;
  /** Shows a notice in the editor's status area (null clears it). */
  setNotice(notice: EditorNotice | null): void;
}

/** Returns a cleanup, called when the editor is disposed. */
export type EditorAttachment = (context: EditorContext) => void | (() => void);
