import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { MARKER_SEVERITY, markersByOwner } from './markers.ts';

const d = (over: Partial<Diagnostic>): Diagnostic => ({
  source: 'clang',
  severity: 'error',
  line: 1,
  column: 1,
  message: 'm',
  ...over,
});

describe('diagnostic markers', () => {
  it("maps severities to Monaco's values explicitly", () => {
    expect(MARKER_SEVERITY).toEqual({ error: 8, warning: 4, info: 2, hint: 1 });
  });

  it('keeps one owner per source and leaves clangd to the LSP module', () => {
    const grouped = markersByOwner(
      [
        d({ source: 'clang', severity: 'error', line: 2 }),
        d({ source: 'verifier', severity: 'error', line: 3 }),
        d({ source: 'grader', severity: 'warning', line: 1 }),
        d({ source: 'static', severity: 'info', line: 1 }),
        d({ source: 'clangd', severity: 'error', line: 1 }),
      ],
      () => 20,
      5,
    );
    expect(grouped.get('clang')?.map((m) => m.severity)).toEqual([8]);
    expect(grouped.get('verifier')?.[0].startLineNumber).toBe(3);
    expect(grouped.get('grader')?.[0].severity).toBe(4);
    expect(grouped.get('static')?.[0].severity).toBe(2);
    expect([...grouped.values()].flat()).toHaveLength(4);
  });

  it('underlines to the end of the line when no range is given and drops lines outside the file', () => {
    const grouped = markersByOwner(
      [d({ line: 2, column: 5 }), d({ line: 0 }), d({ line: 9 })],
      () => 30,
      3,
    );
    expect(grouped.get('clang')).toEqual([
      expect.objectContaining({
        startLineNumber: 2,
        startColumn: 5,
        endLineNumber: 2,
        endColumn: 31,
      }),
    ]);
  });

  it('puts the explanation and suggestion in the hover message', () => {
    const [marker] = markersByOwner(
      [d({ source: 'verifier', explanation: 'Check for NULL.', suggestion: 'if (!v) return 0;' })],
      () => 10,
      1,
    ).get('verifier')!;
    expect(marker.message).toBe('m\n\nCheck for NULL.\n\nif (!v) return 0;');
  });
});
