// The static checks on objects compiled from C fixtures by the real sandboxed clang.
// Nothing here is loaded or attached: the over-reading fixtures would oops the kernel if run
// through the dispatcher, which is exactly why they are refused before load.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPch } from '../src/compile/build-pch.ts';
import { compile, languageFlags, outputFlags } from '../src/compile/index.ts';
import { paths } from '../src/paths.ts';
import { checkObject, contextSizes, rulesFor } from '../src/static-check/index.ts';
import type { StaticResult, StaticRules } from '../src/static-check/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'static');
const sections = [
  'tracepoint/syscalls/sys_enter_openat',
  'tracepoint/syscalls/sys_exit_openat',
  'tracepoint/syscalls/sys_enter_read',
];
const limits = {
  maxInsns: 4096,
  maxMaps: 8,
  maxMapEntries: 4096,
  maxMapValueBytes: 4096,
  memoryBytes: 64 << 20,
};
let rules: StaticRules;
const objects = new Map<string, Buffer>();

async function objectOf(name: string): Promise<Buffer> {
  const cached = objects.get(name);
  if (cached) return cached;
  const r = await compile(readFileSync(join(fixtures, `${name}.bpf.c`), 'utf8'));
  if (!r.ok || !r.object) throw new Error(`${name} did not compile: ${r.log}`);
  objects.set(name, r.object);
  return r.object;
}

async function check(name: string, override: Partial<StaticRules> = {}): Promise<StaticResult> {
  return checkObject(await objectOf(name), { ...rules, ...override });
}

const errors = (r: StaticResult, code?: string): Diagnostic[] =>
  r.diagnostics.filter((d) => d.severity === 'error' && (code === undefined || d.code === code));

describe('static checks', () => {
  beforeAll(async () => {
    if (!existsSync(paths.pch)) await buildPch();
    rules = await rulesFor({ sections, limits });
  });

  it('reads record sizes from tracefs: openat 48, read 40, every exit 24', async () => {
    expect(rules.contextSizes).toEqual({
      'tracepoint/syscalls/sys_enter_openat': 48,
      'tracepoint/syscalls/sys_exit_openat': 24,
      'tracepoint/syscalls/sys_enter_read': 40,
    });
    expect(
      await contextSizes(['tracepoint/syscalls/sys_exit_read', 'tp/syscalls/sys_exit_close']),
    ).toEqual({
      'tracepoint/syscalls/sys_exit_read': 24,
      'tp/syscalls/sys_exit_close': 24,
    });
  });

  it('passes programs that read within their records, with lab.h macros', async () => {
    const r = await check('within-bounds');
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.programs.map((p) => [p.name, p.section, p.maxContextRead])).toEqual([
      ['on_openat', 'tracepoint/syscalls/sys_enter_openat', 48],
      ['on_exit', 'tracepoint/syscalls/sys_exit_openat', 24],
    ]);
    expect(r.programs[0].insns).toBeGreaterThan(10);
    expect(r.maps).toEqual([
      { name: 'lab_events', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 256 * 1024 },
    ]);
  });

  it('refuses ctx->args[5] on sys_enter_read, on its line', async () => {
    const r = await check('args5-read');
    expect(r.ok).toBe(false);
    expect(errors(r, 'static/context-bound')).toEqual([
      expect.objectContaining({
        line: 7,
        message: expect.stringMatching(/bytes 56\.\.63 .*sys_enter_read's 40-byte record/),
      }),
    ]);
  });

  it("quotes the student's line when given the source", async () => {
    const source = readFileSync(join(fixtures, 'args5-read.bpf.c'), 'utf8');
    const r = checkObject(await objectOf('args5-read'), rules, source);
    expect(errors(r, 'static/context-bound')[0].message).toContain(
      '(line 7: `SUBMIT_NUM(ctx->args[5]);`)',
    );
  });

  it('refuses a read 1000 bytes into sys_exit_openat', async () => {
    const r = await check('offset-1000');
    expect(errors(r, 'static/context-bound')).toEqual([
      expect.objectContaining({ line: 7, message: expect.stringContaining('bytes 1000..1007') }),
    ]);
  });

  it('follows the context into a subprogram and refuses its over-read', async () => {
    const r = await check('via-subprogram');
    expect(errors(r, 'static/context-bound')).toEqual([
      expect.objectContaining({ line: 6, message: expect.stringContaining('bytes 56..63') }),
    ]);
  });

  it('follows the context through a stack spill and refuses the over-read', async () => {
    const obj = await objectOf('stack-spill');
    // The fixture must really spill r1 to the stack: *(u64 *)(r10 - 8) = r1 is 7b 1a f8 ff.
    expect(obj.includes(Buffer.from([0x7b, 0x1a, 0xf8, 0xff]))).toBe(true);
    const r = await check('stack-spill');
    expect(errors(r, 'static/context-bound')).toEqual([expect.objectContaining({ line: 10 })]);
  });

  it('refuses a loop index into the context, unrolled or not', async () => {
    for (const name of ['loop-index', 'loop-index-rolled']) {
      const r = await check(name);
      expect(r.ok).toBe(false);
      expect(
        errors(r).some(
          (d) => d.code === 'static/context-bound' || d.code === 'static/context-flow',
        ),
      ).toBe(true);
      expect(errors(r).every((d) => d.line >= 5 && d.line <= 11)).toBe(true);
    }
  });

  it('names each refused helper with its line', async () => {
    const r = await check('forbidden-helpers');
    const byHelper = Object.fromEntries(
      errors(r, 'static/forbidden-helper').map((d) => [
        /calls (bpf_\w+)/.exec(d.message)?.[1],
        d.line,
      ]),
    );
    expect(byHelper).toEqual({
      bpf_get_current_task: 13,
      bpf_probe_read_kernel: 15,
      bpf_probe_read: 16,
      bpf_send_signal: 17,
      bpf_trace_printk: 18,
      bpf_loop: 19,
      bpf_probe_write_user: 20,
    });
    expect(errors(r, 'static/callback')).toHaveLength(1);
  });

  it('refuses kfuncs, ksyms and kconfig externs', async () => {
    const r = await check('externs');
    const names = errors(r, 'static/extern')
      .map((d) => /"(\w+)"/.exec(d.message)?.[1])
      .sort();
    expect(names).toEqual(['LINUX_KERNEL_VERSION', 'bpf_prog_active', 'bpf_task_acquire']);
    expect(errors(r, 'static/kfunc')[0]?.line).toBe(11);
  });

  it('refuses pinning, map types, sizes and lab_ names', async () => {
    const r = await check('maps-refused');
    const codes = errors(r)
      .map((d) => d.code)
      .sort();
    expect(codes).toEqual([
      'static/map-pinning',
      'static/map-size',
      'static/map-size',
      'static/map-type',
      'static/reserved-name',
    ]);
    expect(errors(r, 'static/map-type')[0].message).toContain('jumps');
    expect(errors(r, 'static/reserved-name')[0].message).toContain('lab_secret');
  });

  it('places map and extern refusals on their declarations when given the source', async () => {
    const source = readFileSync(join(fixtures, 'maps-refused.bpf.c'), 'utf8');
    const r = checkObject(await objectOf('maps-refused'), rules, source);
    const lineOf = (code: string) => errors(r, code).map((d) => d.line);
    expect(lineOf('static/map-pinning')).toEqual([11]);
    expect(lineOf('static/map-type')).toEqual([18]);
    expect(lineOf('static/map-size')).toEqual([25, 36]);
    expect(lineOf('static/reserved-name')).toEqual([43]);
    const externs = checkObject(
      await objectOf('externs'),
      rules,
      readFileSync(join(fixtures, 'externs.bpf.c'), 'utf8'),
    );
    // Externs that are used are placed where they are used.
    expect(
      errors(externs, 'static/extern')
        .map((d) => d.line)
        .sort(),
    ).toEqual([11, 13, 13]);
  });

  it('passes every allowed map type and global data within the limits', async () => {
    const r = await check('maps-allowed');
    expect(r.diagnostics).toEqual([]);
    expect(r.maps.map((m) => m.type).sort()).toEqual(
      ['array', 'hash', 'lru_hash', 'percpu_array', 'ringbuf', 'ringbuf'].sort(),
    );
  });

  it('refuses too many maps, too much memory and too many instructions, naming the limit', async () => {
    const small = await check('maps-allowed', {
      limits: { ...limits, maxMaps: 2, memoryBytes: 1000, maxInsns: 20 },
    });
    const messages = errors(small).map((d) => d.message);
    expect(messages).toContainEqual(expect.stringContaining('the limit is 2'));
    expect(messages).toContainEqual(expect.stringContaining('the limit is 1000 bytes'));
    expect(messages).toContainEqual(
      expect.stringMatching(/program on_openat has \d+ instructions; the limit is 20/),
    );
  });

  it('refuses sections the exercise does not allow and lab_ program names', async () => {
    const r = await check('section-and-names');
    expect(errors(r, 'static/section')[0].message).toContain('sys_enter_execve');
    expect(errors(r, 'static/reserved-name')[0].message).toContain('lab_on_openat');
  });

  it("recognises lab.h's ring buffer by what it is, not by its name", async () => {
    // Without the precompiled lab.h, a #define can rename lab.h's ring buffer out of the way.
    const source = readFileSync(join(fixtures, 'lab-events-renamed.bpf.c'), 'utf8');
    const compiled = await compile(source, { pch: null });
    if (!compiled.object) throw new Error(compiled.log);
    const r = checkObject(compiled.object, rules, source);
    expect(errors(r, 'static/reserved-name').map((d) => d.message)).toEqual([
      expect.stringContaining("map lab_events is not lab.h's lab_events"),
    ]);
    // And the array is checked as the student's: 1 GiB is far over the limits.
    expect(errors(r, 'static/map-size')[0]?.message).toContain('max_entries 262144');
    expect(errors(r, 'static/map-memory')).toHaveLength(1);
  });

  it('refuses a .maps description whose size was set by hand', async () => {
    const obj = Buffer.from(await objectOf('maps-allowed'));
    // The DATASEC type named .maps: kind 15 in its info word, size 0 as clang leaves it.
    const name = obj.indexOf(Buffer.from('\0.maps\0')) + 1;
    const btf = obj.indexOf(Buffer.from([0x9f, 0xeb, 0x01, 0x00]));
    const strOff = btf + 24 + obj.readUInt32LE(btf + 16);
    let patched = false;
    for (let at = btf + 24; at + 12 <= strOff; at += 4) {
      if (
        obj.readUInt32LE(at) === name - strOff &&
        obj.readUInt32LE(at + 4) >>> 24 === 15 &&
        obj.readUInt32LE(at + 8) === 0
      ) {
        obj.writeUInt32LE(64, at + 8);
        patched = true;
        break;
      }
    }
    expect(patched).toBe(true);
    const r = checkObject(obj, rules);
    expect(errors(r, 'static/bad-object')[0]?.message).toContain(
      '.maps was not made by the compiler',
    );
  });

  it('refuses a .BTF with bytes after its strings', async () => {
    const obj = Buffer.from(await objectOf('within-bounds'));
    const btf = obj.indexOf(Buffer.from([0x9f, 0xeb, 0x01, 0x00]));
    // Shorten the string length: the section then holds bytes the header does not account for.
    obj.writeUInt32LE(obj.readUInt32LE(btf + 20) - 1, btf + 20);
    expect(errors(checkObject(obj, rules), 'static/bad-object')[0]?.message).toContain(
      'do not add up',
    );
  });

  it('counts a per-CPU map once per possible CPU', async () => {
    const r = await check('maps-allowed', { possibleCpus: 1 });
    const percpu = r.maps.find((m) => m.type === 'percpu_array');
    if (!percpu) throw new Error('maps-allowed has no per-CPU array');
    const one = (percpu.keySize + Math.ceil(percpu.valueSize / 8) * 8) * percpu.maxEntries;
    const extra = Math.ceil(percpu.valueSize / 8) * 8 * percpu.maxEntries * 1000;
    const memoryOf = (cpus: number, limit: number) =>
      errors(
        checkObject(objects.get('maps-allowed') as Buffer, {
          ...rules,
          possibleCpus: cpus,
          limits: { ...limits, memoryBytes: limit },
        }),
        'static/map-memory',
      );
    // Find the total with one CPU, then show that 1001 CPUs add the value 1000 more times.
    const total = Number(/need (\d+) bytes/.exec(memoryOf(1, 0)[0].message)?.[1]);
    expect(total).toBeGreaterThanOrEqual(one);
    expect(Number(/need (\d+) bytes/.exec(memoryOf(1001, 0)[0].message)?.[1])).toBe(total + extra);
  });

  it('passes padding and half-filled buffers zeroed by the compile, and refuses them unzeroed', async () => {
    expect(errors(await check('uninit-locals'))).toEqual([]);
    // The same file with clang's defaults: each of the three helpers is handed unwritten bytes.
    const zeroing = new Set(languageFlags().filter((f) => f.includes('trivial-auto-var-init')));
    expect(zeroing.size).toBe(2);
    const source = readFileSync(join(fixtures, 'uninit-locals.bpf.c'), 'utf8');
    const flags = [...languageFlags(), ...outputFlags].filter((f) => !zeroing.has(f));
    const object = execFileSync('clang', [...flags, '-x', 'c', '-', '-c', '-o', '-'], {
      input: source,
    });
    const refused = errors(checkObject(object, rules, source), 'static/uninitialised-stack');
    const lineOf = (text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(refused.map((d) => d.line).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      lineOf('&r, sizeof(r)'),
      lineOf('name, sizeof(name)'),
      lineOf('&seen, &k'),
    ]);
    for (const d of refused) expect(d.message).toMatch(/never written.*= \{\}.*__builtin_memset/);
  });

  it("refuses every context read when the hook's record size is unknown", async () => {
    const r = await check('within-bounds', { contextSizes: {} });
    expect(errors(r, 'static/context-bound').length).toBeGreaterThan(0);
  });
});
