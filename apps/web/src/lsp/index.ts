// The browser side of clangd, picked up by src/editor/editor-hooks.ts for every editor.
import type { EditorContext } from '../editor/editor-context.ts';
import { attachClangd } from './attach-clangd.ts';

export { attachClangd, defaultLspUrl } from './attach-clangd.ts';
export type { AttachClangdOptions } from './attach-clangd.ts';
export { CLANGD_MARKER_OWNER, LSP_TO_MONACO_SEVERITY } from './lsp-to-monaco.ts';

export function attachEditor(context: EditorContext): () => void {
  return attachClangd(context.editor, context.monaco, {
    onNotice: context.setNotice,
    returnTo: `/exercises/${encodeURIComponent(context.exerciseId)}`,
  });
}
