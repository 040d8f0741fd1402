import { describe, expect, it } from 'vitest';

import { LSP_STUDENT_URI } from './clangd-sandbox.ts';
import { initializeResultForBrowser, rewriteClientMessage } from './lsp-rewrite.ts';
import { shapeForClangd, WARM_STUB } from './preamble-shape.ts';

const lines = (text: string) => text.split('\n').map((l) => l.length);

describe('shapeForClangd', () => {
  it('ends the preamble at the first line when it is a comment, keeping every line and column', () => {
    const text =
      '// read-file-password: submit the bytes.\n#include "lab.h"\n\n#define X 1\nint x;\n';
    const shaped = shapeForClangd(text);
    expect(shaped.startsWith(';')).toBe(true);
    expect(lines(shaped)).toEqual(lines(text));
    expect(shaped.slice(shaped.indexOf('\n'))).toBe(text.slice(text.indexOf('\n')));
  });

  it('replaces a first-line #include "lab.h" (clangd has lab.h from its flags)', () => {
    const shaped = shapeForClangd('#include "lab.h"\r\nint x;');
    expect(shaped).toBe(`;${' '.repeat(15)}\r\nint x;`);
  });

  it('fills a blank first line and accepts a closed block comment', () => {
    expect(shapeForClangd('\nint x;')).toBe(';\nint x;');
    expect(shapeForClangd('/* one line */\nint x;')).toBe(`;${' '.repeat(13)}\nint x;`);
    expect(shapeForClangd(WARM_STUB)).toBe(WARM_STUB);
  });

  it('leaves files alone whose first line means something', () => {
    for (const text of [
      '#include "vmlinux.h"\nint x;',
      '#define N 4\n#include "lab.h"',
      '// continues \\\n#include "lab.h"',
      '/* open\n*/ #include "lab.h"',
      '/* closed */ int y;\n',
      'int x;',
    ]) {
      expect(shapeForClangd(text)).toBe(text);
    }
  });
});

describe('what the bridge forwards to clangd', () => {
  const uri = 'file:///student.bpf.c';
  const open = JSON.stringify({
    jsonrpc: '2.0',
    method: 'textDocument/didOpen',
    params: {
      textDocument: { uri, languageId: 'c', version: 1, text: '// hi\n#include "lab.h"\n' },
    },
  });

  it('opens the student file reshaped, under the sandbox URI', () => {
    const verdict = rewriteClientMessage(open, undefined, 65536);
    expect(verdict).toMatchObject({
      ok: true,
      clientUri: uri,
      forward: {
        params: { textDocument: { uri: LSP_STUDENT_URI, text: ';    \n#include "lab.h"\n' } },
      },
    });
  });

  it('takes whole-document changes only, and reshapes them', () => {
    const change = (contentChanges: unknown[]) =>
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'textDocument/didChange',
        params: { textDocument: { uri, version: 2 }, contentChanges },
      });
    expect(
      rewriteClientMessage(change([{ text: '#include "lab.h"\nint x;' }]), uri, 65536),
    ).toMatchObject({
      ok: true,
      forward: { params: { contentChanges: [{ text: `;${' '.repeat(15)}\nint x;` }] } },
    });
    const ranged = change([
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: 'x' },
    ]);
    expect(rewriteClientMessage(ranged, uri, 65536)).toMatchObject({
      ok: false,
      reason: /whole document/,
    });
    expect(rewriteClientMessage(change([{ text: 'a'.repeat(70_000) }]), uri, 65536)).toMatchObject({
      ok: false,
    });
  });

  it('tells the browser to send whole documents', () => {
    const result = initializeResultForBrowser({
      capabilities: { textDocumentSync: { openClose: true, change: 2 }, hoverProvider: true },
    });
    expect(result).toEqual({
      capabilities: { textDocumentSync: { openClose: true, change: 1 }, hoverProvider: true },
    });
  });
});
