// The editor's clangd session when the server closes /lsp with one of its codes: the status area
// says why and what to do, and the editor connects again only when that can help.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as MonacoApi from 'monaco-editor/editor/editor.api';
import type { EditorNotice } from '../editor/editor-context.ts';
import { EditorStatus } from '../editor/EditorStatus.tsx';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { attachClangd } from './attach-clangd.ts';
import { LSP_CLOSE } from '@ebpf-lab/protocol';
import type { LspSocket } from './lsp-connection.ts';

/** A /lsp socket scripted like the server: answers `initialize`, records what it is sent. */
class ScriptedSocket extends EventTarget {
  readyState = 0;
  readonly sent: { method?: string; params?: { textDocument?: { text?: string } } }[] = [];
  send(data: string): void {
    const message = JSON.parse(data) as { id?: number; method?: string };
    this.sent.push(message);
    if (message.method === 'initialize') {
      queueMicrotask(() =>
        this.dispatchEvent(
          new MessageEvent('message', {
            data: JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { capabilities: {} } }),
          }),
        ),
      );
    }
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  closedByServer(code: number, reason: string): void {
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent('close', { code, reason }));
  }
}

let sockets: ScriptedSocket[];
let notices: (EditorNotice | null)[];
let text: string;
let changed: (() => void) | undefined;
let markers: unknown[][];
let detach: () => void;
let view: Rendered | undefined;

const model = {
  getValue: () => text,
  isDisposed: () => false,
  onDidChangeContent: (listener: () => void) => {
    changed = listener;
    return { dispose: () => (changed = undefined) };
  },
};
const editor = { getModel: () => model } as unknown as MonacoApi.editor.IStandaloneCodeEditor;
const provider = () => ({ dispose() {} });
const monaco = {
  editor: {
    setModelMarkers: (_model: unknown, _owner: string, list: unknown[]) => markers.push(list),
  },
  languages: {
    registerCompletionItemProvider: provider,
    registerHoverProvider: provider,
    registerSignatureHelpProvider: provider,
  },
} as unknown as typeof MonacoApi;

function edit(next: string): void {
  text = next;
  changed?.();
}

const latest = () => sockets[sockets.length - 1];
const notice = () => notices[notices.length - 1] ?? null;

/** Opens the latest socket as the server would and lets the session initialize. */
async function accept(): Promise<void> {
  latest().open();
  await vi.advanceTimersByTimeAsync(0);
}

/** What the status area shows for the latest notice. */
function shown(): HTMLElement {
  view?.unmount();
  view = render(<EditorStatus notice={notice()} />);
  return view.container.querySelector<HTMLElement>('[data-testid="editor-status"]')!;
}

beforeEach(async () => {
  vi.useFakeTimers();
  sockets = [];
  notices = [];
  markers = [];
  text = 'int x;\n';
  detach = attachClangd(editor, monaco, {
    createSocket: () => {
      const socket = new ScriptedSocket();
      sockets.push(socket);
      // The DOM's EventTarget delivers the MessageEvent and CloseEvent the connection reads.
      return socket as unknown as LspSocket;
    },
    onNotice: (n) => notices.push(n),
    returnTo: '/exercises/read-file-password',
    debounceMs: 300,
  });
  await accept();
  expect(latest().sent.map((m) => m.method)).toEqual([
    'initialize',
    'initialized',
    'textDocument/didOpen',
  ]);
});

afterEach(() => {
  detach();
  view?.unmount();
  view = undefined;
  vi.useRealTimers();
});

describe('the editor when the server closes clangd', () => {
  it('asks a signed-out student to sign in for diagnostics, and never retries', async () => {
    latest().closedByServer(
      LSP_CLOSE.signInRequired,
      'sign in to get editor assistance on this lab',
    );
    const status = shown();
    expect(status.getAttribute('data-notice')).toBe('sign-in');
    expect(status.textContent).toContain('signed-in students only');
    expect(status.querySelector('[data-testid="editor-status-link"]')?.getAttribute('href')).toBe(
      '/account?next=%2Fexercises%2Fread-file-password',
    );
    edit('int y;\n');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sockets).toHaveLength(1);
  });

  it('says the other tabs hold the editor sessions, and comes back once one is free', async () => {
    latest().closedByServer(
      LSP_CLOSE.busy,
      'editor assistance is limited to 2 sessions per address: close another tab',
    );
    expect(shown().textContent).toContain(
      'too many editor sessions are open in your other lab tabs',
    );
    expect(markers.at(-1)).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sockets).toHaveLength(1);
    // Still refused: told once more, then a longer pause.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(2);
    latest().open();
    latest().closedByServer(
      LSP_CLOSE.busy,
      'editor assistance is limited to 2 sessions per address: close another tab',
    );
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sockets).toHaveLength(3);
    await accept();
    expect(notice()).toBeNull();
    expect(shown().textContent).toBe('');
  });

  it('says every session of the lab is in use when the lab-wide limit refuses it', async () => {
    latest().closedByServer(LSP_CLOSE.busy, 'editor assistance is limited to 4 sessions at once');
    expect(shown().getAttribute('data-notice')).toBe('busy-lab');
    expect(shown().textContent).toContain('every editor session of the lab is in use');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sockets).toHaveLength(2);
  });

  it('says the file made clangd run out of memory, and resumes on the next edit with that edit', async () => {
    latest().closedByServer(
      LSP_CLOSE.clangdExited,
      'the code assistant stopped: your file made it use all of its 1024 MiB of memory',
    );
    const status = shown();
    expect(status.getAttribute('data-notice')).toBe('out-of-memory');
    expect(status.textContent).toContain(
      'Your file made clangd run out of memory (its limit is 1024 MiB)',
    );
    expect(status.textContent).toContain('Diagnostics resume when you edit');
    expect(markers.at(-1)).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sockets).toHaveLength(1);
    edit('int fixed;\n');
    await vi.advanceTimersByTimeAsync(300);
    expect(sockets).toHaveLength(2);
    await accept();
    const opened = latest().sent.find((m) => m.method === 'textDocument/didOpen');
    expect(opened?.params?.textDocument?.text).toBe('int fixed;\n');
    expect(notice()).toBeNull();
  });

  it('waits a moment after a crash before an edit starts the next clangd', async () => {
    latest().closedByServer(LSP_CLOSE.clangdExited, 'the code assistant stopped');
    expect(shown().getAttribute('data-notice')).toBe('stopped');
    edit('int a;\n');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets).toHaveLength(2);
  });

  it('pauses quietly when idle, keeps the markers, and resumes on the next edit', async () => {
    latest().closedByServer(LSP_CLOSE.idle, 'closed after 5 idle minutes');
    expect(shown().getAttribute('data-notice')).toBe('idle');
    expect(markers).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    edit('int b;\n');
    await vi.advanceTimersByTimeAsync(300);
    expect(sockets).toHaveLength(2);
  });

  it('reconnects by itself after a dropped connection', async () => {
    latest().closedByServer(1006, '');
    expect(shown().getAttribute('data-notice')).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sockets).toHaveLength(2);
    await accept();
    expect(notice()).toBeNull();
  });

  it('stops trying once the editor is gone', async () => {
    latest().closedByServer(1006, '');
    detach();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });
});
