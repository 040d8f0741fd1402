// Monaco's editor core plus only what the lab uses: C highlighting and a handful of editor
// features. Importing `monaco-editor` itself would pull in every language and TypeScript's worker.
import * as monaco from 'monaco-editor/editor/editor.api';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/diffEditor/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/suggest/register';
// Monaco 0.57's `features/suggest/register` brings inline suggestions only: the completion
// widget (Ctrl+Space, suggestions while typing) is the suggest controller itself, and the
// signature popup is parameterHints. Both are needed by clangd's help (src/lsp).
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/features/parameterHints/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
import { EDITOR_COLOURS } from './editor-look.ts';
import { conf as cConf, language as cLanguage } from 'monaco-editor/languages/definitions/cpp/cpp';

// C's tokenizer (2 KiB) is in this chunk, not loaded on first use as Monaco's own register.js does:
// the editor is coloured in its first frame instead of a round trip after it is created.
monaco.languages.register({ id: 'c', extensions: ['.c', '.h'], aliases: ['C', 'c'] });
monaco.languages.setMonarchTokensProvider('c', cLanguage);
monaco.languages.setLanguageConfiguration('c', cConf);

// The editor worker is bundled by Vite (`?worker`): no CDN, the lab works offline.
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

for (const [name, base] of [
  ['lab-light', 'vs'],
  ['lab-dark', 'vs-dark'],
] as const) {
  const look = EDITOR_COLOURS[name === 'lab-light' ? 'light' : 'dark'];
  monaco.editor.defineTheme(name, {
    base,
    inherit: true,
    rules: [{ token: 'comment', foreground: look.tokens.comment.slice(1), fontStyle: 'italic' }],
    colors: {
      'editor.background': look.background,
      'editorGutter.background': look.gutter,
      'editorLineNumber.foreground': look.lineNumber,
      'editorLineNumber.activeForeground': look.activeLineNumber,
    },
  });
}

export { monaco };
export type Monaco = typeof monaco;
