// The editor's chunk (Monaco is most of the bundle), loaded once per page. The page preloads it once
// its first screen is up (editor-preloads.ts), so it downloads while the student reads; it is only
// evaluated when the page asks, because evaluating it holds the main thread for a while.
import type { CodeEditor } from './CodeEditor.tsx';

export interface EditorModule {
  CodeEditor: typeof CodeEditor;
}

let loading: Promise<EditorModule> | null = null;
let loaded: EditorModule | null = null;
const waiting = new Set<(module: EditorModule) => void>();

export function loadCodeEditor(): Promise<EditorModule> {
  loading ??= import('./CodeEditor.tsx').then(
    (module) => {
      loaded = module;
      for (const notify of waiting) notify(module);
      waiting.clear();
      return module;
    },
    (error: unknown) => {
      // A failed chunk (a network error, a lab updated under the page) may load on a retry.
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** The editor's chunk if it is loaded already (a later exercise of the same visit). */
export function loadedCodeEditor(): EditorModule | null {
  return loaded;
}

/**
 * Calls `use` once the editor's chunk is loaded, without loading it: what only decorates the page
 * (code colouring in the instructions) waits for the editor rather than start Monaco first.
 */
export function whenCodeEditorLoaded(use: (module: EditorModule) => void): () => void {
  if (loaded) {
    use(loaded);
    return () => {};
  }
  waiting.add(use);
  return () => waiting.delete(use);
}
