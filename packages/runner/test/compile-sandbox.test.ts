// Real clang inside real bubblewrap: the attacks of docs/architecture.md section 4 leak nothing of the host,
// through plain clang or through the compile server (which runs in the same sandbox).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPch } from '../src/compile/build-pch.ts';
import {
  compile as compileAny,
  COMPILE_LIMITS,
  compileServerReady,
  LIMIT_MESSAGES,
  MAX_COMPILE_DIAGNOSTICS,
  stopCompileServer,
} from '../src/compile/index.ts';
import type { CompileOptions, CompileResult } from '../src/compile/index.ts';
import { paths } from '../src/paths.ts';

/** Distinctive lines of host files: none of them may appear anywhere in a result. */
function hostSecrets(): string[] {
  const out: string[] = [];
  for (const f of ['/etc/passwd', '/etc/shadow', '/etc/hostname', '/proc/version']) {
    try {
      const lines = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim().length >= 6);
      out.push(...lines.slice(0, 3));
    } catch {
      // Unreadable here: then it cannot leak through us either.
    }
  }
  return out;
}

function expectNoLeak(r: CompileResult, secrets: string[]): void {
  const text = JSON.stringify({ d: r.diagnostics, l: r.log });
  const object = r.object?.toString('latin1') ?? '';
  for (const s of secrets) {
    expect(text).not.toContain(s);
    expect(object).not.toContain(s);
  }
}

const lab = (body: string): string => `#include "lab.h"\n${body}`;

describe.each(['clang', 'server'] as const)('compile in the sandbox (%s)', (via) => {
  const secrets = hostSecrets();
  const compile = (source: string, opts: CompileOptions = {}) =>
    compileAny(source, { via, cache: false, ...opts });

  beforeAll(async () => {
    if (!existsSync(paths.labHeader))
      throw new Error(`${paths.labHeader} missing: run npm run setup`);
    if (!existsSync(paths.pch)) await buildPch();
    expect(secrets.length).toBeGreaterThan(3);
    if (via === 'server') expect(await compileServerReady()).toBe(true);
  });
  afterAll(() => stopCompileServer());

  it('compiles a correct program to a BPF object with the PCH', async () => {
    const r = await compile(
      lab(`SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
\tSUBMIT_USER((const char *)ctx->args[1], 64);
\treturn 0;
}
`),
    );
    expect(r.ok).toBe(true);
    expect(r.object?.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(r.object?.readUInt16LE(18)).toBe(247); // EM_BPF
  });

  it("places errors on the student's lines, with fix-its", async () => {
    const r = await compile(lab('int f(void)\n{\n\treturn 1\n}\n'));
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.message.includes("expected ';'"));
    expect(d).toMatchObject({ source: 'clang', severity: 'error', line: 4 });
    expect(d?.fixits?.[0]?.text).toBe(';');
    expect(r.log).toContain('student.bpf.c:4:');
  });

  it('finds no host file to include: /etc/shadow, /etc/passwd, /sys', async () => {
    for (const f of [
      '/etc/shadow',
      '/etc/passwd',
      '/sys/kernel/btf/vmlinux',
      '/proc/self/environ',
    ]) {
      const r = await compile(lab(`#include "${f}"\n`));
      expect(r.ok).toBe(false);
      expect(r.diagnostics[0]).toMatchObject({ line: 2, message: `'${f}' file not found` });
      expectNoLeak(r, secrets);
    }
  });

  it('answers __has_include probes of host files with "no"', async () => {
    const r = await compile(
      lab(`#if __has_include("/etc/shadow") || __has_include(</etc/passwd>) || __has_include("/etc/hostname")
#error found
#else
#error not found
#endif
`),
    );
    expect(r.diagnostics.map((d) => d.message)).toEqual(['not found']);
  });

  it('embeds no host file with .incbin', async () => {
    const r = await compile(lab('asm(".incbin \\"/etc/passwd\\"");\nint x;\n'));
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0].message).toContain("Could not find incbin file '/etc/passwd'");
    expectNoLeak(r, secrets);
  });

  it('shows no host path in messages that point into lab.h', async () => {
    const r = await compile(
      lab('struct { __uint(type, BPF_MAP_TYPE_ARRAY); } lab_events SEC(".maps");\n'),
    );
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0].message).toContain('(unnamed struct at lab.h:');
    expect(r.diagnostics[0].message).toContain('(unnamed struct at student.bpf.c:2:1)');
    const text = JSON.stringify({ d: r.diagnostics, l: r.log });
    expect(text).not.toContain(paths.includeDir);
    expect(text).not.toMatch(/\/[\w.-]+\/[\w./-]*\.h/);
  });

  it('writes nothing anywhere when clang crashes (#pragma clang __debug crash)', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const r = await compile(lab('#pragma clang __debug crash\n'));
    expect(r.ok).toBe(false);
    expect(r.diagnostics.at(-1)?.code).toBe('compile/crash');
    expect(r.log).not.toMatch(/Stack dump|PLEASE submit/);
    // Crash reproducers are named after the input, with .c and .sh files.
    const added = readdirSync(tmpdir()).filter(
      (f) => !before.has(f) && /^(stdin|-|<stdin>).*\.(c|sh)$/.test(f),
    );
    expect(added).toEqual([]);
  });
});

// Plain clang's limits; the server's are tested against these in compile-server.test.ts.
describe('compile limits in the sandbox (clang)', () => {
  const compile = (source: string) => compileAny(source, { via: 'clang', cache: false });

  // On a loaded machine (2 cores shared by many sessions) the wall clock can run out before the
  // CPU or memory limit is reached: any of the three stops the bomb and is named.
  const stopping = [LIMIT_MESSAGES.memory, LIMIT_MESSAGES.cpu, LIMIT_MESSAGES.wall];

  it('stops a macro bomb at a limit and names it', { timeout: 120_000 }, async () => {
    let src = '#define A 1,1,1,1,1,1,1,1,1,1,\n';
    const names = 'ABCDEFGH';
    for (let i = 1; i < names.length; i++)
      src += `#define ${names[i]} ${`${names[i - 1]} `.repeat(10)}\n`;
    const r = await compile(lab(`${src}int y[] = {H};\n`));
    expect(r.ok).toBe(false);
    expect(stopping).toContain(r.limit);
    expect(r.diagnostics.at(-1)?.message).toBe(r.limit);
  });

  it('stops a preprocessor loop at a limit and names it', { timeout: 120_000 }, async () => {
    let src = '#define A 1+1+1+1+1+1+1+1+1+1+\n';
    const names = 'ABCDEFGHI';
    for (let i = 1; i < names.length; i++)
      src += `#define ${names[i]} ${`${names[i - 1]} `.repeat(10)}\n`;
    const r = await compile(lab(`${src}#if I 0 > 5\nint y;\n#endif\n`));
    expect(r.ok).toBe(false);
    // The expansion grows memory as it burns CPU: which limit it meets first depends on how the
    // machine shares its CPU at the time, and either way the student is told which one.
    expect([LIMIT_MESSAGES.cpu, LIMIT_MESSAGES.wall, LIMIT_MESSAGES.memory]).toContain(r.limit);
    expect(LIMIT_MESSAGES.cpu).toBe('your program took more than 10 s of CPU to compile');
  });

  it(
    'stops a huge array at the object cap or the memory limit, and names it',
    { timeout: 120_000 },
    async () => {
      const big = await compile(lab('char big[20 << 20] = {1};\n'));
      expect(big.ok).toBe(false);
      expect(big.limit).toBe(LIMIT_MESSAGES.object);
      expect(big.object).toBeUndefined();
      // 2 GiB of initialised data cannot fit in a 1 GiB address space: clang fails allocating it.
      const huge = await compile(lab('char huge[1L << 31] = {1};\n'));
      expect(huge.ok).toBe(false);
      expect([LIMIT_MESSAGES.memory, LIMIT_MESSAGES.wall]).toContain(huge.limit);
      expect(LIMIT_MESSAGES.memory).toBe('your program took more than 1 GiB of memory to compile');
    },
  );

  it(
    'keeps the first 50 compiler messages and counts the rest, in a capped log',
    { timeout: 120_000 },
    async () => {
      // 3,000 warnings (1.5 MB of messages) from a 300-byte file
      const flood = lab(`#define A {char c=999;}{char c=999;}{char c=999;}{char c=999;}{char c=999;}
#define B A A A A A A A A A A
#define C B B B B B B B B B B
SEC("tracepoint/syscalls/sys_enter_openat")
int f(void *ctx) { C C C C C C return 0; }
`);
      const r = await compile(flood);
      expect(r.ok).toBe(true);
      expect(r.diagnostics).toHaveLength(MAX_COMPILE_DIAGNOSTICS + 1);
      // warnings with their "expanded from macro" notes, in clang's order
      const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
      expect(warnings.length).toBeGreaterThan(5);
      expect(warnings.every((d) => d.code === 'clang/constant-conversion')).toBe(true);
      expect(r.diagnostics.at(-1)).toMatchObject({
        severity: 'info',
        code: 'compile/more-messages',
        message: `${3000 - warnings.length} more compiler messages not shown (the lab shows the first 50)`,
      });
      expect(r.logTruncated).toBe(true);
      expect(r.log.length).toBeLessThan(COMPILE_LIMITS.stderrBytes + 200);
      expect(r.log).toContain('the rest is not shown');
      expect(JSON.stringify(r.diagnostics).length).toBeLessThan(64 * 1024);

      // an error after the cut is still an error, said so, never "a header failed"
      const late = await compile(`${flood}int g(void) { return undeclared; }\n`);
      expect(late.ok).toBe(false);
      expect(late.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([
        'compile/too-many-messages',
      ]);
      expect(late.diagnostics).toHaveLength(MAX_COMPILE_DIAGNOSTICS + 2);
      expect(late.diagnostics.find((d) => d.code === 'compile/more-messages')?.message).toBe(
        `${3001 - warnings.length} more compiler messages not shown (the lab shows the first 50)`,
      );
    },
  );
});
