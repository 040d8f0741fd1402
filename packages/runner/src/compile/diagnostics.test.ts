import { describe, expect, it } from 'vitest';
import { parseClangOutput, scrubPaths } from './diagnostics.ts';

const stderr = [
  'In file included from <stdin>:1:',
  "/work/build/include/lab.h:3:1: error: unknown type name 'root:x:0:0'",
  'root:x:0:0:root:/root:/bin/bash',
  '^',
  "<stdin>:4:12:{4:12-4:15}: warning: unused variable 'abc' [-Wunused-variable]",
  '    int abc = 1;',
  '        ^~~',
  "<stdin>:7:20: error: expected ';' after return statement",
  '    return x + 1 }',
  '               ^',
  '               ;',
  'fix-it:"<stdin>":{7:20-7:20}:";"',
  '/usr/include/bpf/bpf_helpers.h:10:2: note: declared here',
  'secret header text',
  "<inline asm>:1:9: error: Could not find incbin file '/x'",
  ' .incbin "/x"',
  '         ^',
  'Stack dump:',
  '0.	Program arguments: clang',
  '2 errors generated.',
].join('\n');

describe('parseClangOutput', () => {
  const { diagnostics, log } = parseClangOutput(stderr);

  it("keeps the student file's messages with lines, ranges, flags and fix-its", () => {
    expect(diagnostics[0]).toMatchObject({
      source: 'clang',
      severity: 'warning',
      line: 4,
      column: 12,
      endLine: 4,
      endColumn: 15,
      code: 'clang/unused-variable',
    });
    expect(diagnostics[1]).toMatchObject({ severity: 'error', line: 7, column: 20 });
    expect(diagnostics[1].fixits).toEqual([
      { line: 7, column: 20, endLine: 7, endColumn: 20, text: ';' },
    ]);
  });

  it('keeps inline assembly errors without a line', () => {
    expect(diagnostics[2]).toMatchObject({ line: 0, message: expect.stringContaining('incbin') });
    expect(diagnostics).toHaveLength(3);
  });

  it('drops every block located in another file, with the lines it quotes', () => {
    expect(log).not.toContain('root:x');
    expect(log).not.toContain('secret header text');
    expect(log).not.toContain('lab.h');
    expect(log).not.toContain('Stack dump');
    expect(log).toContain('student.bpf.c:7:20: error');
    expect(log).not.toContain('<stdin>');
    expect(log.endsWith('2 errors generated.')).toBe(true);
  });
});

describe('host paths in messages', () => {
  it('names other files by their file name alone, and stdin as the student file', () => {
    const { diagnostics, log } = parseClangOutput(
      [
        "<stdin>:2:46: error: redefinition of 'lab_events' with a different type: 'struct (unnamed struct at <stdin>:2:1)' vs 'struct (unnamed struct at /work/wt/x/build/include/lab.h:57:1)'",
        ' struct { int a; } lab_events;',
        '                   ^',
        '1 error generated.',
      ].join('\n'),
    );
    expect(diagnostics[0].message).toBe(
      "redefinition of 'lab_events' with a different type: 'struct (unnamed struct at student.bpf.c:2:1)' vs 'struct (unnamed struct at lab.h:57:1)'",
    );
    expect(log).not.toMatch(/\/work|<stdin>/);
  });

  it('names the file alone when the checkout lives in a directory whose name has a space', () => {
    expect(scrubPaths('unnamed struct at /srv/my lab/build/include/lab.h:57:1')).toBe(
      'unnamed struct at lab.h:57:1',
    );
    // Words between two paths stay: only directory names may hold a space.
    expect(scrubPaths('see /x/y and /z/w.h:3')).toBe('see /x/y and w.h:3');
  });

  it("leaves the student's own source lines as they are", () => {
    expect(scrubPaths('a / b and x/y/z')).toBe('a / b and x/y/z');
    expect(scrubPaths("'/etc/shadow' file not found")).toBe("'/etc/shadow' file not found");
    expect(
      scrubPaths("'/usr/lib/llvm-14/lib/clang/14.0.6/include/stdint.h:3:1' and (/a/b.h:1:2)"),
    ).toBe("'stdint.h:3:1' and (b.h:1:2)");
  });
});
