// Where other modules attach to every editor the lab creates: the clangd module in
// `src/lsp/index.ts` (its `attachEditor`), loaded as its own chunk, and whatever calls
// `registerEditorAttachment`.
import type { EditorAttachment, EditorContext } from './editor-context.ts';

const attachments = new Set<EditorAttachment>();

export function registerEditorAttachment(attachment: EditorAttachment): () => void {
  attachments.add(attachment);
  return () => attachments.delete(attachment);
}

// clangd's diagnostics, completion and hover: a separate chunk, loaded once the editor is up.
const editorModules: (() => Promise<{ attachEditor?: EditorAttachment }>)[] = [
  () => import('../lsp/index.ts'),
];

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
  for (const load of editorModules) {
    try {
      const module = await load();
      if (module.attachEditor) run(module.attachEditor);
    } catch (error) {
      console.error('could not load an editor module', error);
    }
  }
  return () => cleanups.forEach((c) => c());
}
