// Where other modules attach to every editor the lab creates. The clangd module in
// `src/lsp/index.ts` is picked up automatically when it exists and exports `attachEditor`;
// anything else can call `registerEditorAttachment`.
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

const attachments = new Set<EditorAttachment>();

export function registerEditorAttachment(attachment: EditorAttachment): () => void {
  attachments.add(attachment);
  return () => attachments.delete(attachment);
}

// Optional modules owned by others: resolved at build time, absent without error.
const optional = import.meta.glob<{ attachEditor?: EditorAttachment }>('../lsp/index.ts');

export async function attachAll(context: EditorContext): Promise<() => void> {
  const cleanups: (() => void)[] = [];
  const run = (attach: EditorAttachment) => {
    try {
      const cleanup = attach(context);
      if (cleanup) cleanups.push(cleanup);
    } catch (error) {
      console.error('an editor attachment failed; the editor keeps working without it', error);
    }
  };
  for (const attach of attachments) run(attach);
  for (const load of Object.values(optional)) {
    try {
      const module = await load();
      if (module.attachEditor) run(module.attachEditor);
    } catch (error) {
      console.error('could not load an editor module', error);
    }
  }
  return () => cleanups.forEach((c) => c());
}
