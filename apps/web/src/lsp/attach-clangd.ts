// Connects one Monaco editor to the server's clangd (/lsp): the document is opened once and
// sent again, whole, a moment after the student stops typing; clangd's diagnostics become
// markers of owner `clangd`; completion, hover and signature help come from clangd.
import type * as MonacoApi from 'monaco-editor/editor/editor.api';

import { LspConnection } from './lsp-connection.ts';
import type { LspSocket } from './lsp-connection.ts';
import { CLANGD_MARKER_OWNER, hoverMarkdown, toCompletion, toMarker } from './lsp-to-monaco.ts';
import type { LspCompletionItem, LspDiagnostic, LspHoverContents } from './lsp-to-monaco.ts';

type Monaco = typeof MonacoApi;
type Editor = MonacoApi.editor.IStandaloneCodeEditor;

export interface AttachClangdOptions {
  /** ws(s)://host/lsp; defaults to the page's own origin. */
  url?: string;
  /** Quiet time after the last keystroke before clangd sees the change. */
  debounceMs?: number;
  /** For tests: how to open the socket. */
  createSocket?: (url: string) => LspSocket;
}

export function defaultLspUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/lsp`;
}

export function attachClangd(
  editor: Editor,
  monaco: Monaco,
  options: AttachClangdOptions = {},
): () => void {
  const model = editor.getModel();
  if (!model) return () => undefined;
  const url = options.url ?? defaultLspUrl();
  const socket = options.createSocket
    ? options.createSocket(url)
    : (new WebSocket(url) as LspSocket);
  const lsp = new LspConnection(socket);
  const uri = 'file:///student.bpf.c';
  const languages = new Set(['c', 'cpp']);
  let version = 1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  let ready = false;
  const disposables: { dispose(): void }[] = [];

  const flush = () => {
    clearTimeout(timer);
    if (!ready || !dirty) return;
    dirty = false;
    lsp.notify('textDocument/didChange', {
      textDocument: { uri, version: ++version },
      contentChanges: [{ text: model.getValue() }],
    });
  };

  lsp.onNotification('textDocument/publishDiagnostics', (params) => {
    const { diagnostics } = params as { uri: string; diagnostics: LspDiagnostic[] };
    if (model.isDisposed()) return;
    monaco.editor.setModelMarkers(model, CLANGD_MARKER_OWNER, diagnostics.map(toMarker));
  });

  // The server answers from a clangd it initialized ahead of time with these same capabilities
  // (apps/server/src/lsp/clangd-process.ts); the document is always sent whole, as it says.
  void lsp.opened
    .then(() =>
      lsp.request('initialize', {
        processId: null,
        rootUri: null,
        capabilities: {
          textDocument: {
            synchronization: { didSave: false },
            completion: {
              completionItem: {
                snippetSupport: false,
                documentationFormat: ['markdown', 'plaintext'],
              },
            },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            signatureHelp: { signatureInformation: { documentationFormat: ['plaintext'] } },
            publishDiagnostics: { relatedInformation: false },
          },
        },
      }),
    )
    .then(() => {
      lsp.notify('initialized', {});
      lsp.notify('textDocument/didOpen', {
        textDocument: { uri, languageId: 'c', version, text: model.getValue() },
      });
      ready = true;
    })
    .catch(() => {
      // The editor keeps working without the assistant; the run still compiles for real.
    });

  disposables.push(
    model.onDidChangeContent(() => {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(flush, options.debounceMs ?? 300);
    }),
  );

  const mine = (m: MonacoApi.editor.ITextModel) => m === model;
  const position = (p: MonacoApi.Position) => ({ line: p.lineNumber - 1, character: p.column - 1 });

  for (const language of languages) {
    disposables.push(
      monaco.languages.registerCompletionItemProvider(language, {
        triggerCharacters: ['.', '>', '_'],
        async provideCompletionItems(m, pos) {
          if (!mine(m) || !ready) return { suggestions: [] };
          flush();
          const result = await lsp
            .request<{ items: LspCompletionItem[] } | LspCompletionItem[] | null>(
              'textDocument/completion',
              {
                textDocument: { uri },
                position: position(pos),
              },
            )
            .catch(() => null);
          const items = Array.isArray(result) ? result : (result?.items ?? []);
          const word = m.getWordUntilPosition(pos);
          const fallback = {
            startLineNumber: pos.lineNumber,
            endLineNumber: pos.lineNumber,
            startColumn: word.startColumn,
            endColumn: word.endColumn,
          };
          return {
            suggestions: items.map((i) =>
              toCompletion(i, fallback),
            ) as MonacoApi.languages.CompletionItem[],
          };
        },
      }),
      monaco.languages.registerHoverProvider(language, {
        async provideHover(m, pos) {
          if (!mine(m) || !ready) return null;
          flush();
          const result = await lsp
            .request<{ contents: LspHoverContents } | null>('textDocument/hover', {
              textDocument: { uri },
              position: position(pos),
            })
            .catch(() => null);
          if (!result) return null;
          return { contents: hoverMarkdown(result.contents).map((value) => ({ value })) };
        },
      }),
      monaco.languages.registerSignatureHelpProvider(language, {
        signatureHelpTriggerCharacters: ['(', ','],
        async provideSignatureHelp(m, pos) {
          if (!mine(m) || !ready) return null;
          flush();
          const result = await lsp
            .request<MonacoApi.languages.SignatureHelp | null>('textDocument/signatureHelp', {
              textDocument: { uri },
              position: position(pos),
            })
            .catch(() => null);
          if (!result || !result.signatures?.length) return null;
          return { value: result, dispose: () => undefined };
        },
      }),
    );
  }

  return () => {
    clearTimeout(timer);
    for (const d of disposables) d.dispose();
    if (!model.isDisposed()) monaco.editor.setModelMarkers(model, CLANGD_MARKER_OWNER, []);
    lsp.dispose();
  };
}
