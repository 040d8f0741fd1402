// The compile server against plain clang, both in the real sandbox: the same objects and the
// same messages, byte for byte, for every file of the curriculum and for broken ones; the same
// limit messages; the worker filter; and the fallback to clang when the server is gone.
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compile,
  compileServerPid,
  compileServerReady,
  LIMIT_MESSAGES,
  stopCompileServer,
} from '../src/compile/index.ts';
import { CompileServer } from '../src/compile/compile-server.ts';
import { compileWithClang } from '../src/compile/plain-clang.ts';
import { paths } from '../src/paths.ts';
import { runProcess } from '../src/process.ts';

const binary = join(paths.buildDir, 'native', 'compile-server');
const warmUpFile = join(paths.repoRoot, 'native', 'compile-server', 'warm-up.bpf.c');
const lab = (body: string): string => `#include "lab.h"\n${body}`;

/** Every C file of the curriculum: starters, solutions and the known-wrong variants. */
function curriculumFiles(): string[] {
  const files: string[] = [];
  for (const id of readdirSync(paths.templatesDir)) {
    const dir = join(paths.templatesDir, id);
    if (!existsSync(join(dir, 'exercise.json'))) continue;
    for (const f of ['starter.bpf.c', 'solution.bpf.c']) files.push(join(dir, f));
    const variants = join(dir, 'variants');
    if (existsSync(variants)) {
      for (const v of readdirSync(variants).filter((f) => f.endsWith('.bpf.c'))) {
        files.push(join(variants, v));
      }
    }
  }
  return files;
}

/** Files clang refuses or warns about, in the ways students get wrong. */
const broken: Record<string, string> = {
  'missing semicolon': lab('int f(void)\n{\n\treturn 1\n}\n'),
  'undeclared name and fix-it': lab('int f(void) { return x }\n'),
  'misspelt helper': lab(
    'SEC("tracepoint/syscalls/sys_enter_openat")\nint f(void *ctx)\n{\n\tbpf_get_current_pid_tgd();\n\treturn 0;\n}\n',
  ),
  'unused variable warning': lab('int f(void)\n{\n\tint unused = 1;\n\treturn 0;\n}\n'),
  'error in a macro from lab.h': lab('int f(void) { SUBMIT(1, 2); return 0; }\n'),
  'host file include': lab('#include "/etc/passwd"\n'),
  'inline asm error': lab('asm(".incbin \\"/etc/passwd\\"");\nint x;\n'),
  'no lab.h at all': 'int main(void) { return 0; }\n',
  empty: '',
};

describe('the compile server', () => {
  let server: CompileServer;

  beforeAll(async () => {
    if (!existsSync(binary)) throw new Error(`${binary} missing: run npm run setup`);
    server = await CompileServer.start({
      binary,
      warmUpFile,
      includeDir: paths.includeDir,
      pch: paths.pch,
      workers: 2,
    });
  });
  afterAll(() => {
    server?.stop();
    stopCompileServer();
  });

  const plain = (source: string) =>
    compileWithClang(source, { includeDir: paths.includeDir, pch: paths.pch });

  it(
    'gives objects and messages byte-identical to plain clang for every curriculum file',
    { timeout: 300_000 },
    async () => {
      const files = curriculumFiles();
      expect(files.length).toBeGreaterThan(20);
      for (const file of files) {
        const source = readFileSync(file, 'utf8');
        const [a, b] = [await server.compile(source), await plain(source)];
        expect({ file, code: a.code, signal: a.signal }).toEqual({
          file,
          code: b.code,
          signal: b.signal,
        });
        expect(a.object.length, file).toBeGreaterThan(0);
        expect(a.object.equals(b.object), file).toBe(true);
        expect(a.stderr, file).toBe(b.stderr);
      }
    },
  );

  it('gives the same messages as plain clang for broken files', { timeout: 120_000 }, async () => {
    for (const [name, source] of Object.entries(broken)) {
      const [a, b] = [await server.compile(source), await plain(source)];
      expect({ name, stderr: a.stderr, code: a.code }).toEqual({
        name,
        stderr: b.stderr,
        code: b.code,
      });
      expect(a.object.equals(b.object), name).toBe(true);
    }
    // The list really holds failures, with messages on the student's lines.
    const r = await server.compile(broken['missing semicolon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("<stdin>:4:10: error: expected ';'");
  });

  it(
    'serves requests arriving together, more than it has workers',
    { timeout: 120_000 },
    async () => {
      const source = readFileSync(
        join(paths.templatesDir, 'read-file-password', 'solution.bpf.c'),
        'utf8',
      );
      const expected = await plain(source);
      // Workers forked while requests wait serve them without their warm-up: same bytes.
      const answers = await Promise.all(Array.from({ length: 6 }, () => server.compile(source)));
      for (const a of answers) expect(a.object.equals(expected.object)).toBe(true);
    },
  );

  it(
    "keeps clang's code and the PCH on huge pages, shared by its workers, where the kernel gives them",
    { timeout: 30_000 },
    async () => {
      // The parent is the sandbox's compile-server whose parent is not one; its workers are its
      // children. A worker may be between requests, or exit (its request served) before it is
      // read: look again until one is read.
      let parent: number | undefined;
      let workerBytes: number | undefined;
      for (let i = 0; i < 100 && workerBytes === undefined; i++) {
        const inside = processTree(server.pid ?? 0).filter((p) => p.comm === 'compile-server');
        parent = inside.find((p) => !inside.some((q) => q.pid === p.ppid))?.pid;
        for (const p of inside.filter((p) => p.ppid === parent))
          workerBytes ??= hugePageBytes(p.pid);
        if (workerBytes === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(parent).toBeDefined();
      expect(workerBytes).toBeDefined();
      const MiB = 1024 * 1024;
      if (hugePagesOffered()) {
        // libLLVM's and libclang-cpp's code alone are ~150 MiB, the PCH ~14 MiB.
        expect(hugePageBytes(parent ?? 0)).toBeGreaterThan(128 * MiB);
        expect(workerBytes).toBeGreaterThan(128 * MiB);
      } else {
        expect(hugePageBytes(parent ?? 0)).toBe(0);
      }
    },
  );

  it('keeps serving after a worker crashes', async () => {
    const crashed = await server.compile(lab('#pragma clang __debug crash\n'));
    expect(crashed.signal).toBeGreaterThan(0);
    const next = await server.compile(lab('int x;\n'));
    expect(next.code).toBe(0);
    expect(next.object.length).toBeGreaterThan(0);
  });
});

/** Whether the kernel hands out transparent huge pages to a process that asks (madvise). */
function hugePagesOffered(): boolean {
  try {
    return !readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[never]');
  } catch {
    return false;
  }
}

/**
 * Bytes of anonymous memory a process has on huge pages; undefined when it is gone, or exiting (a
 * process without its memory any more, as a zombie, has an empty smaps).
 */
function hugePageBytes(pid: number): number | undefined {
  let smaps: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  if (!smaps) return undefined;
  let kib = 0;
  for (const m of smaps.matchAll(/^AnonHugePages:\s+(\d+) kB$/gm)) kib += Number(m[1]);
  return kib * 1024;
}

/** A process and everything under it: pid, parent pid and command name. */
function processTree(root: number): { pid: number; ppid: number; comm: string }[] {
  const out: { pid: number; ppid: number; comm: string }[] = [];
  const visit = (pid: number): void => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return; // gone meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    out.push({ pid, ppid, comm });
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.split(' ').filter(Boolean)) visit(Number(c));
    }
  };
  visit(root);
  return out;
}

describe('compiles through the server', () => {
  beforeAll(async () => {
    expect(await compileServerReady()).toBe(true);
  });
  afterAll(() => stopCompileServer());

  const both = async (source: string) => [
    await compile(source, { via: 'server', cache: false }),
    await compile(source, { via: 'clang', cache: false }),
  ];

  it('reports a crash like plain clang', async () => {
    const [a, b] = await both(lab('#pragma clang __debug crash\n'));
    expect(a.via).toBe('server');
    expect(a.diagnostics.at(-1)?.code).toBe('compile/crash');
    expect(a.diagnostics).toEqual(b.diagnostics);
    expect(a.log).not.toMatch(/Stack dump|PLEASE submit/);
  });

  it('stops an object over the cap and says so, as plain clang', { timeout: 120_000 }, async () => {
    const [a, b] = await both(lab('char big[20 << 20] = {1};\n'));
    expect(a.limit).toBe(LIMIT_MESSAGES.object);
    expect(b.limit).toBe(LIMIT_MESSAGES.object);
    expect(a.object).toBeUndefined();
  });

  it(
    'stops a compile at the memory limit and names it, as plain clang',
    { timeout: 120_000 },
    async () => {
      // 2 GiB of initialised data: clang builds the object in memory and fails allocating it.
      const [a, b] = await both(lab('char huge[1L << 31] = {1};\n'));
      // On a loaded machine the wall clock may run out first; either limit is named.
      expect([LIMIT_MESSAGES.memory, LIMIT_MESSAGES.wall]).toContain(a.limit);
      expect([LIMIT_MESSAGES.memory, LIMIT_MESSAGES.wall]).toContain(b.limit);
      expect(a.diagnostics.at(-1)?.message).toBe(a.limit);
    },
  );

  it('stops a preprocessor loop at a limit and names it', { timeout: 120_000 }, async () => {
    let src = '#define A 1+1+1+1+1+1+1+1+1+1+\n';
    const names = 'ABCDEFGHI';
    for (let i = 1; i < names.length; i++)
      src += `#define ${names[i]} ${`${names[i - 1]} `.repeat(10)}\n`;
    const r = await compile(lab(`${src}#if I 0 > 5\nint y;\n#endif\n`), {
      via: 'server',
      cache: false,
    });
    expect(r.via).toBe('server');
    // The expansion grows memory as it burns CPU: which limit it meets first depends on how the
    // machine shares its CPU at the time, and either way the student is told which one.
    expect([LIMIT_MESSAGES.cpu, LIMIT_MESSAGES.wall, LIMIT_MESSAGES.memory]).toContain(r.limit);
  });

  it('answers an unchanged resubmission from the cache, and a changed one from a compiler', async () => {
    const source = lab(`int cached_${process.pid}(void) { return 7; }\n`);
    const first = await compile(source);
    const again = await compile(source);
    expect(first.via).not.toBe('cache');
    expect(again.via).toBe('cache');
    expect(again.object?.equals(first.object!)).toBe(true);
    expect(again.log).toBe(first.log);
    const changed = await compile(`${source}\n`);
    expect(changed.via).not.toBe('cache');
  });

  it('does not cache a compile stopped by a limit', { timeout: 120_000 }, async () => {
    const source = lab('char big[20 << 20] = {2};\n');
    expect((await compile(source)).limit).toBe(LIMIT_MESSAGES.object);
    const again = await compile(source);
    expect(again.via).not.toBe('cache');
    expect(again.limit).toBe(LIMIT_MESSAGES.object);
  });

  it(
    'restarts when set-up rebuilds the PCH, compiling with clang meanwhile',
    { timeout: 120_000 },
    async () => {
      const source = lab('int restart_probe;\n');
      expect((await compile(source, { cache: false })).via).toBe('server');
      // A rebuilt PCH is a new file; its identity (inode, size, mtime) is what the client watches.
      const later = new Date(Date.now() + 1000);
      utimesSync(paths.pch, later, later);
      const during = await compile(source, { cache: false });
      expect(during.via).toBe('clang');
      expect(during.ok).toBe(true);
      expect(await compileServerReady()).toBe(true);
      expect((await compile(source, { cache: false })).via).toBe('server');
    },
  );

  it(
    'falls back to plain clang when the server dies, then starts a new one',
    { timeout: 120_000 },
    async () => {
      expect(await compileServerReady()).toBe(true);
      const pid = await compileServerPid();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid!, 'SIGKILL');
      const r = await compile(lab('int after_the_server;\n'), { cache: false });
      expect(r.ok).toBe(true);
      expect(r.via).toBe('clang');
      // And a new server takes over.
      expect(await compileServerReady()).toBe(true);
      expect(await compileServerPid()).not.toBe(pid);
      expect((await compile(lab('int after_the_restart;\n'), { cache: false })).via).toBe('server');
    },
  );
});

describe('huge pages for clang', () => {
  const moved = async (...args: string[]): Promise<number> => {
    const r = await runProcess(binary, ['--check-huge-pages', ...args], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    const m = /^moved (\d+)$/m.exec(r.stdout.toString());
    expect(m).not.toBeNull();
    return Number(m?.[1]);
  };

  it('moves libLLVM and libclang-cpp where the kernel gives huge pages', async () => {
    if (hugePagesOffered()) expect(await moved()).toBeGreaterThan(128 * 1024 * 1024);
    else expect(await moved()).toBe(0);
  });

  it('puts the code back as it was, still running, when the kernel gives none', async () => {
    // The process is refused huge pages (PR_SET_THP_DISABLE), then runs LLVM's code.
    expect(await moved('--refused')).toBe(0);
  });
});

describe('the worker filter', () => {
  it('refuses network, processes, signals to others, ptrace, mount, bpf and writing files', async () => {
    const r = await runProcess(binary, ['--check-filter'], { timeoutMs: 10_000 });
    expect(r.code).toBe(0);
    const lines = Object.fromEntries(
      r.stdout
        .toString()
        .trim()
        .split('\n')
        .map((l) => l.split(' ')),
    );
    for (const what of [
      'socket',
      'socket-unix',
      'open-write',
      'chmod',
      'open-create',
      'mkdir',
      'unlink',
      'fork',
      'execve',
      'kill-other',
      'ptrace',
      'mount',
      'bpf',
      'setrlimit',
    ]) {
      expect({ what, is: lines[what] }).toEqual({ what, is: 'refused' });
    }
    // What a compile needs still works.
    expect(lines['open-read']).toBe('allowed');
  });
});
