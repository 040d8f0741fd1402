// Connects one Monaco editor to the server's clangd (/lsp): the document is opened once and
// sent again, whole, a moment after the student stops typing; clangd's diagnostics become
// markers of owner `clangd`; completion, hover and signature help come from clangd.
import type * as MonacoApi from 'monaco-editor/editor/editor.api';

import type { EditorNotice } from '../editor/editor-context.ts';
import { planAfterClose, retryDelay } from './clangd-close.ts';
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
  /** Where the status area says why diagnostics are missing, and what to do. */
  onNotice?: (notice: EditorNotice | null) => void;
  /** The page to come back to after signing in. */
  returnTo?: string;
}

/** An edit right after clangd stopped does not start the next one at once. */
const RESUME_AFTER_MS = 2_000;

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
  const openSocket = options.createSocket ?? ((u: string) => new WebSocket(u) as LspSocket);
  const setNotice = options.onNotice ?? (() => undefined);
  const returnTo = options.returnTo ?? window.location.pathname;
  const signInHref = `/account?next=${encodeURIComponent(returnTo)}`;
  const uri = 'file:///student.bpf.c';
  const languages = new Set(['c', 'cpp']);
  let version = 1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  let ready = false;
  let disposed = false;
  /** The session now (null: closed, waiting to connect again or not at all). */
  let lsp: LspConnection | null = null;
  /** Set while closed: the next edit connects again, no sooner than this time. */
  let resumeOnEditAt: number | null = null;
  /** Refusals in a row of the same kind, for the growing pause between attempts. */
  let refusals = 0;
  let lastNotice = '';
  const disposables: { dispose(): void }[] = [];

  const flush = () => {
    clearTimeout(timer);
    if (!ready || !dirty || !lsp) return;
    dirty = false;
    lsp.notify('textDocument/didChange', {
      textDocument: { uri, version: ++version },
      contentChanges: [{ text: model.getValue() }],
    });
  };

  const connect = () => {
    clearTimeout(retryTimer);
    if (disposed || lsp) return;
    resumeOnEditAt = null;
    const socket = openSocket(url);
    const connection = new LspConnection(socket);
    lsp = connection;
    ready = false;
    socket.addEventListener('close', (event) => {
      const { code, reason } = event as { code?: number; reason?: string };
      closed(connection, code ?? 1006, reason ?? '');
    });
    connection.onNotification('textDocument/publishDiagnostics', (params) => {
      const { diagnostics } = params as { uri: string; diagnostics: LspDiagnostic[] };
      if (model.isDisposed()) return;
      monaco.editor.setModelMarkers(model, CLANGD_MARKER_OWNER, diagnostics.map(toMarker));
    });
    // The server answers from a clangd it initialized ahead of time with these same
    // capabilities (apps/server/src/lsp/clangd-process.ts); the document is always sent whole.
    void connection.opened
      .then(() =>
        connection.request('initialize', {
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
        if (lsp !== connection || model.isDisposed()) return;
        connection.notify('initialized', {});
        connection.notify('textDocument/didOpen', {
          textDocument: { uri, languageId: 'c', version: ++version, text: model.getValue() },
        });
        dirty = false;
        ready = true;
        refusals = 0;
        lastNotice = '';
        setNotice(null);
      })
      .catch(() => {
        // Closed before it was up: `closed` says why. The editor keeps working without clangd.
      });
  };

  const closed = (connection: LspConnection, code: number, reason: string) => {
    if (disposed || lsp !== connection) return;
    lsp = null;
    ready = false;
    const plan = planAfterClose(code, reason, signInHref);
    if (plan.clearMarkers && !model.isDisposed()) {
      monaco.editor.setModelMarkers(model, CLANGD_MARKER_OWNER, []);
    }
    const kind = plan.notice?.id ?? '';
    refusals = kind === lastNotice ? refusals + 1 : 0;
    lastNotice = kind;
    setNotice(plan.notice);
    if (plan.retry.when === 'edit') resumeOnEditAt = Date.now() + RESUME_AFTER_MS;
    if (plan.retry.when === 'later') {
      retryTimer = setTimeout(connect, retryDelay(plan.retry, Math.max(0, refusals)));
    }
  };

  connect();

  disposables.push(
    model.onDidChangeContent(() => {
      dirty = true;
      clearTimeout(timer);
      const debounce = options.debounceMs ?? 300;
      if (resumeOnEditAt !== null && !lsp) {
        // The new clangd opens the document whole, as it is when it connects.
        timer = setTimeout(connect, Math.max(debounce, resumeOnEditAt - Date.now()));
        return;
      }
      timer = setTimeout(flush, debounce);
    }),
  );

  const mine = (m: MonacoApi.editor.ITextModel) => m === model;
  const position = (p: MonacoApi.Position) => ({ line: p.lineNumber - 1, character: p.column - 1 });

  for (const language of languages) {
    disposables.push(
      monaco.languages.registerCompletionItemProvider(language, {
        triggerCharacters: ['.', '>', '_'],
        async provideCompletionItems(m, pos) {
          const session = lsp;
          if (!mine(m) || !ready || !session) return { suggestions: [] };
          flush();
          const result = await session
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
          const session = lsp;
          if (!mine(m) || !ready || !session) return null;
          flush();
          const result = await session
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
          const session = lsp;
          if (!mine(m) || !ready || !session) return null;
          flush();
          const result = await session
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
    disposed = true;
    clearTimeout(timer);
    clearTimeout(retryTimer);
    for (const d of disposables) d.dispose();
    if (!model.isDisposed()) monaco.editor.setModelMarkers(model, CLANGD_MARKER_OWNER, []);
    lsp?.dispose();
    lsp = null;
  };
}
