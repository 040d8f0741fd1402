// vmlinux.h cut into parts: the same text in the same order, cut only between top-level
// declarations, the include guard kept in vmlinux.h.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { partFiles, splitVmlinux, writeVmlinuxParts } from './vmlinux-parts.mjs';

/** bpftool's shape: guard, attribute push, declarations separated by blank lines, pop, guard. */
function header(declarations: string[]): string {
  return [
    '#ifndef __VMLINUX_H__',
    '#define __VMLINUX_H__',
    '',
    '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX',
    '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
    '#endif',
    '',
    ...declarations.flatMap((d) => [d, '']),
    '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX',
    '#pragma clang attribute pop',
    '#endif',
    '',
    '#endif /* __VMLINUX_H__ */',
    '',
  ].join('\n');
}

/** What the compiler reads: vmlinux.h with each #include replaced by its part. */
function expand(split: ReturnType<typeof splitVmlinux>): string {
  const byName = new Map(split.parts.map((p) => [p.name, p.text]));
  return split.header.replace(/^#include "([^"]+)"\n/gm, (_, name: string) => byName.get(name)!);
}

const struct = (i: number) =>
  `struct s${i} {\n\tint a;\n\n\tunion {\n\t\tint b;\n\n\t\tlong c;\n\t};\n\tchar pad[${i}];\n};`;

describe('splitVmlinux', () => {
  const text = header(Array.from({ length: 400 }, (_, i) => struct(i)));

  it('gives back the same text, in several parts', () => {
    const split = splitVmlinux(text, 1024);
    expect(split.parts.length).toBeGreaterThan(10);
    expect(expand(split)).toBe(text);
  });

  it('keeps the include guard in vmlinux.h and cuts only outside braces and #if blocks', () => {
    const split = splitVmlinux(text, 1024);
    expect(split.header.startsWith('#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n')).toBe(true);
    expect(split.header.trimEnd().endsWith('#endif /* __VMLINUX_H__ */')).toBe(true);
    for (const { text: part } of split.parts) {
      expect(part.split('{').length).toBe(part.split('}').length);
      expect((part.match(/^#if/gm) ?? []).length).toBe((part.match(/^#endif/gm) ?? []).length);
    }
  });

  it('never cuts a blank line inside a struct, however small the parts', () => {
    const split = splitVmlinux(text, 1);
    for (const { text: part } of split.parts) {
      expect(part.split('{').length).toBe(part.split('}').length);
    }
    expect(expand(split)).toBe(text);
  });

  it('cuts text without a guard the same way, and keeps a short one in one part', () => {
    const plain = 'typedef int a;\n\ntypedef int b;\n';
    const split = splitVmlinux(plain, 1);
    expect(split.parts.length).toBe(2);
    expect(expand(split)).toBe(plain);
    expect(splitVmlinux(plain).parts.length).toBe(1);
  });
});

describe('writeVmlinuxParts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlinux-parts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const whole = join(dir, 'whole.h');
  const include = join(dir, 'include');

  it('writes the parts, then on the same input touches no file', () => {
    writeFileSync(whole, header(Array.from({ length: 3000 }, (_, i) => struct(i))));
    const first = writeVmlinuxParts(whole, include);
    expect(first.changed).toBe(true);
    expect(partFiles(include)).toHaveLength(first.parts);
    const times = [join(include, 'vmlinux.h'), ...partFiles(include)].map(
      (f) => statSync(f).mtimeMs,
    );
    expect(writeVmlinuxParts(whole, include)).toEqual({ parts: first.parts, changed: false });
    expect(
      [join(include, 'vmlinux.h'), ...partFiles(include)].map((f) => statSync(f).mtimeMs),
    ).toEqual(times);
  });

  it('removes the parts a shorter header no longer names', () => {
    writeFileSync(whole, header([struct(1), struct(2)]));
    const r = writeVmlinuxParts(whole, include);
    expect(r).toEqual({ parts: 1, changed: true });
    expect(partFiles(include)).toHaveLength(1);
    expect(readFileSync(join(include, 'vmlinux.h'), 'utf8')).toContain('vmlinux.d/vmlinux-000.h');
  });
});
