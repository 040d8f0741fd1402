// The static checks on uprobe programs, on objects compiled by the real sandboxed clang. Nothing
// here is loaded: a uprobe's context is the target's registers, and since 6.18 the kernel lets a
// uprobe program write them, which would change what the target does. Every write is refused
// before load, however it is reached.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPch } from '../src/compile/build-pch.ts';
import { compile } from '../src/compile/index.ts';
import { paths } from '../src/paths.ts';
import { checkObject, PT_REGS_BYTES, rulesFor, uprobeOf } from '../src/static-check/index.ts';
import type { StaticResult, StaticRules } from '../src/static-check/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'static');
const sections = ['uprobe/check_password', 'uretprobe/check_password'];
const limits = {
  maxInsns: 4096,
  maxMaps: 8,
  maxMapEntries: 4096,
  maxMapValueBytes: 4096,
  memoryBytes: 64 << 20,
};
let rules: StaticRules;

async function check(name: string): Promise<StaticResult> {
  const source = readFileSync(join(fixtures, `${name}.bpf.c`), 'utf8');
  const r = await compile(source);
  if (!r.ok || !r.object) throw new Error(`${name} did not compile: ${r.log}`);
  return checkObject(r.object, rules, source);
}

const errors = (r: StaticResult, code?: string): Diagnostic[] =>
  r.diagnostics.filter((d) => d.severity === 'error' && (code === undefined || d.code === code));

describe('static checks of uprobe programs', () => {
  beforeAll(async () => {
    if (!existsSync(paths.pch)) await buildPch();
    rules = await rulesFor({ sections, limits });
  });

  it('bounds a uprobe context by struct pt_regs', () => {
    expect(rules.contextSizes).toEqual({
      'uprobe/check_password': PT_REGS_BYTES,
      'uretprobe/check_password': PT_REGS_BYTES,
    });
    expect(uprobeOf('uprobe/libc.so.6:getenv')).toEqual({
      ret: false,
      library: 'libc.so.6',
      fn: 'getenv',
    });
    expect(uprobeOf('uprobe//bin/bash:readline')).toBeUndefined();
    expect(uprobeOf('uprobe/libm.so.6:sqrt')).toBeUndefined();
  });

  it('accepts reads of every argument and of the return value', async () => {
    const r = await check('uprobe-reads');
    expect(r.diagnostics).toEqual([]);
    expect(r.programs.map((p) => [p.name, p.section])).toEqual([
      ['on_entry', 'uprobe/check_password'],
      ['on_return', 'uretprobe/check_password'],
    ]);
    // rdi is the last argument register in pt_regs (offset 112); rax sits at 80
    expect(r.programs[0].maxContextRead).toBe(120);
    expect(r.programs[1].maxContextRead).toBe(88);
  });

  it('refuses a read past the registers', async () => {
    const r = await check('uprobe-past-regs');
    expect(errors(r, 'static/context-bound').map((d) => d.line)).toEqual([7]);
  });

  it('refuses every write to the registers: plain, spilled, atomic, in a subprogram, hand-encoded', async () => {
    const r = await check('uprobe-writes');
    const writes = errors(r, 'static/context-write');
    expect(writes.map((d) => d.line).sort((a, b) => a - b)).toEqual([9, 18, 25, 31, 45]);
    for (const d of writes) expect(d.message).toMatch(/writes bytes \d+\.\.\d+ of its context/);
    expect(r.ok).toBe(false);
  });

  it('refuses kernel reads, user-memory writes, return overrides and signals, each on its line', async () => {
    const r = await check('uprobe-helpers');
    const refused = errors(r, 'static/forbidden-helper').map(
      (d) => [d.line, /calls (\w+)/.exec(d.message)?.[1]] as const,
    );
    expect(refused).toEqual([
      [11, 'bpf_probe_write_user'],
      [12, 'bpf_probe_read_kernel'],
      [13, 'bpf_probe_read_kernel_str'],
      [14, 'bpf_probe_read'],
      [15, 'bpf_probe_read_str'],
      [16, 'bpf_override_return'],
      [17, 'bpf_send_signal'],
      [18, 'bpf_send_signal_thread'],
    ]);
  });

  it('refuses probes the exercise does not name: other functions, paths, other libraries', async () => {
    const r = await check('uprobe-sections');
    expect(
      errors(r, 'static/section').map((d) => /section "([^"]+)"/.exec(d.message)?.[1]),
    ).toEqual(['uprobe/main', 'uprobe//bin/bash:readline', 'uprobe/libc.so.6:getenv']);
  });
});
