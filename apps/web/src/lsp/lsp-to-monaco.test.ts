import { describe, expect, it } from 'vitest';

import { LspConnection } from './lsp-connection.ts';
import type { LspSocket } from './lsp-connection.ts';
import { hoverMarkdown, LSP_TO_MONACO_SEVERITY, toCompletion, toMarker } from './lsp-to-monaco.ts';

describe('LSP to Monaco', () => {
  it('maps severities explicitly and makes 0-based ranges 1-based', () => {
    expect(LSP_TO_MONACO_SEVERITY).toEqual({ 1: 8, 2: 4, 3: 2, 4: 1 });
    const marker = toMarker({
      range: { start: { line: 7, character: 11 }, end: { line: 7, character: 30 } },
      severity: 2,
      message: "call to undeclared function 'bpf_map_lookup_elme'",
    });
    expect(marker).toMatchObject({
      startLineNumber: 8,
      startColumn: 12,
      endColumn: 31,
      severity: 4,
      source: 'clangd',
    });
  });

  it('widens an empty range so the marker shows', () => {
    const m = toMarker({
      range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } },
      message: 'x',
    });
    expect(m.endColumn).toBe(m.startColumn + 1);
    expect(m.severity).toBe(8);
  });

  it('keeps the helper signature in a completion item', () => {
    const c = toCompletion(
      {
        label: ' bpf_map_lookup_elem',
        kind: 6,
        detail: 'void *(*)(void *, const void *)',
        textEdit: {
          newText: 'bpf_map_lookup_elem',
          range: { start: { line: 8, character: 2 }, end: { line: 8, character: 14 } },
        },
      },
      { startLineNumber: 1, startColumn: 1, endLineNumber: 1, endColumn: 1 },
    );
    expect(c.label).toEqual({
      label: 'bpf_map_lookup_elem',
      description: 'void *(*)(void *, const void *)',
    });
    expect(c.insertText).toBe('bpf_map_lookup_elem');
    expect(c.range).toMatchObject({ startLineNumber: 9, startColumn: 3, endColumn: 15 });
    expect(c.kind).toBe(4);
  });

  it('renders hover contents as markdown and escapes plain text', () => {
    expect(hoverMarkdown({ kind: 'markdown', value: '### u32' })).toEqual(['### u32']);
    expect(hoverMarkdown({ kind: 'plaintext', value: 'a_b' })).toEqual(['a\\_b']);
  });
});

class FakeSocket implements LspSocket {
  readyState = 1;
  sent: string[] = [];
  private listeners = new Map<string, ((e: { data: unknown }) => void)[]>();
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
    this.emit('close', undefined);
  }
  addEventListener(type: string, listener: (e: { data: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
}

describe('LspConnection', () => {
  it('matches answers to requests, answers server requests and routes notifications', async () => {
    const socket = new FakeSocket();
    const lsp = new LspConnection(socket);
    const seen: unknown[] = [];
    lsp.onNotification('textDocument/publishDiagnostics', (p) => seen.push(p));
    const answer = lsp.request<{ ok: boolean }>('textDocument/hover', {});
    const sent = JSON.parse(socket.sent[0]);
    socket.emit(
      'message',
      JSON.stringify({
        jsonrpc: '2.0',
        id: 99,
        method: 'window/workDoneProgress/create',
        params: {},
      }),
    );
    socket.emit(
      'message',
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'textDocument/publishDiagnostics',
        params: { diagnostics: [] },
      }),
    );
    socket.emit('message', JSON.stringify({ jsonrpc: '2.0', id: sent.id, result: { ok: true } }));
    await expect(answer).resolves.toEqual({ ok: true });
    expect(JSON.parse(socket.sent[1])).toEqual({ jsonrpc: '2.0', id: 99, result: null });
    expect(seen).toEqual([{ diagnostics: [] }]);
  });

  it('rejects pending requests when the socket closes', async () => {
    const socket = new FakeSocket();
    const lsp = new LspConnection(socket);
    const answer = lsp.request('textDocument/completion', {});
    socket.close();
    await expect(answer).rejects.toThrow(/closed/);
  });
});
