// Kernel tests of the native loader and its driver: real programs loaded on this kernel, real
// targets, no mocks. Fixtures (native/loader/test/) are built here with clang and gcc so
// the test does not depend on the compile sandbox. Nothing is attached except through the
// dispatcher, scoped to each run's own cgroup.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderConfig, LoaderLine, MapDump } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cgroupForRun,
  findCgroupMounts,
  mapViewOf,
  runLoader,
  sweepStaleCgroups,
} from '../src/loader/index.ts';
import type { LoaderOptions } from '../src/loader/index.ts';
import { pairSyscalls } from '../src/observations.ts';
import { paths } from '../src/paths.ts';
import { runProcess, startProcess } from '../src/process.ts';
import { checkObject } from '../src/static-check/index.ts';

const fixtures = join(paths.loaderSourceDir, 'test');
const OBSERVE = [
  'syscalls/sys_enter_openat',
  'syscalls/sys_exit_openat',
  'syscalls/sys_enter_read',
  'syscalls/sys_exit_read',
];
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

let work: string;
let loaderPath: string;
let target: string;
let untouchedTarget: string;
const objects: Record<string, string> = {};

async function mustRun(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const res = await runProcess(cmd, args, {
    timeoutMs: 120_000,
    env: env ? { ...process.env, ...env } : undefined,
  });
  if (res.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${res.code}): ${res.stderr.toString()}${res.stdout.toString()}`,
    );
  }
  return res.stdout.toString();
}

beforeAll(async () => {
  mkdirSync(paths.buildDir, { recursive: true });
  work = mkdtempSync(join(paths.buildDir, 'test-loader-'));
  let include = paths.includeDir;
  if (!existsSync(paths.vmlinuxHeader)) {
    include = join(work, 'include');
    mkdirSync(include);
    const btf = await mustRun('bpftool', [
      'btf',
      'dump',
      'file',
      '/sys/kernel/btf/vmlinux',
      'format',
      'c',
    ]);
    writeFileSync(join(include, 'vmlinux.h'), btf);
  }
  await mustRun(join(paths.loaderSourceDir, 'build.sh'), [join(work, 'native')], {
    LAB_INCLUDE_DIR: include,
  });
  loaderPath = join(work, 'native', 'loader');
  const probe = await mustRun(loaderPath, ['--probe']);
  // No BPF on this machine is a failure, never a skip.
  expect(JSON.parse(probe)).toEqual({ ok: true });

  target = join(work, 'target');
  await mustRun('gcc', ['-O2', '-o', target, join(fixtures, 'target.c')]);
  untouchedTarget = join(work, 'untouched-path');
  await mustRun('gcc', ['-O2', '-o', untouchedTarget, join(fixtures, 'untouched-path.c')]);
  const common = join(paths.templatesDir, 'common');
  for (const name of [
    'solution',
    'submit-all',
    'null-check',
    'sec-typo',
    'composite-key',
    'bounds',
    'context-overread',
    'check-window',
    'many-globals',
    'slow-verify',
    'huge-log',
  ]) {
    objects[name] = join(work, `${name}.bpf.o`);
    await mustRun('clang', [
      ...['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', common, '-I', include, '-c'],
      ...[join(fixtures, `${name}.bpf.c`), '-o', objects[name]],
    ]);
  }
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The maps of an object as the static checks see them (only the maps matter here). */
function checkedMaps(object: string): LoaderConfig['maps'] {
  const res = checkObject(readFileSync(object), {
    sections: [],
    contextSizes: {},
    limits: {
      maxInsns: 1_000_000,
      maxMaps: 64,
      maxMapEntries: 1 << 20,
      maxMapValueBytes: 1 << 20,
      memoryBytes: 1 << 30,
    },
  });
  return mapViewOf(res);
}

let runSeq = 0;
function config(
  object: string,
  secret: string,
  overrides: Partial<LoaderConfig['scenarios'][number]> = {},
): LoaderConfig {
  return {
    object,
    maps: checkedMaps(object),
    observe: OBSERVE,
    cgroup: cgroupForRun(`loader-test-${process.pid}-${++runSeq}`),
    limits: {
      memoryBytes: 64 << 20,
      pids: 32,
      maxRecords: 1000,
      maxSyscalls: 5000,
      maxMapEntries: 100,
      mapDumpEntries: 1000,
      mapDumpBytes: 1 << 20,
      maxOutputBytes: 4096,
      mapMemoryBytes: 64 << 20,
      verifyMs: 10_000,
      verifiedInsns: 1_000_000,
    },
    scenarios: [
      {
        id: 'main',
        target,
        args: ['/tmp/bait.txt', '/tmp/password', '/tmp/notes.txt'],
        files: [
          {
            path: '/tmp/bait.txt',
            hex: hex('not the password, just bait'),
            mode: 0o644,
          },
          { path: '/tmp/password', hex: hex(secret), mode: 0o600 },
          { path: '/tmp/notes.txt', hex: hex('some notes'), mode: 0o644 },
        ],
        wallMs: 3000,
        ...overrides,
      },
    ],
  };
}

interface Run {
  lines: LoaderLine[];
  of<T extends LoaderLine['type']>(type: T): Extract<LoaderLine, { type: T }>[];
  submitted(): string;
  cleaned: Promise<{ exitedAfterDoneMs?: number }>;
  timings: { attachedMs?: number; doneMs?: number };
}

async function run(
  cfg: LoaderConfig,
  signal?: AbortSignal,
  onLine?: (l: LoaderLine) => void,
  onSpawn?: (pid: number) => void,
): Promise<Run> {
  const lines: LoaderLine[] = [];
  const started = performance.now();
  const timings: Run['timings'] = {};
  let cleanedUp: (v: { exitedAfterDoneMs?: number }) => void = () => {};
  const cleaned = new Promise<{ exitedAfterDoneMs?: number }>((r) => {
    cleanedUp = r;
  });
  const options: LoaderOptions = {
    loaderPath,
    onSpawn,
    onCleanedUp: (info) => cleanedUp(info),
  };
  const collect = (l: LoaderLine) => {
    lines.push(l);
    if (l.type === 'attached') timings.attachedMs = performance.now() - started;
    if (l.type === 'done') timings.doneMs = performance.now() - started;
    onLine?.(l);
  };
  try {
    await runLoader(cfg, collect, signal, options);
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  const of = <T extends LoaderLine['type']>(type: T) =>
    lines.filter((l): l is Extract<LoaderLine, { type: T }> => l.type === type);
  const submitted = () =>
    of('submit')
      .map((s) => s.record.data)
      .join('');
  return { lines, of, submitted, cleaned, timings };
}

function mapNamed(r: Run, name: string): MapDump {
  const dump = r.of('maps')[0]?.maps.find((m) => m.name === name || m.name.endsWith(name));
  if (!dump) throw new Error(`no map ${name} in ${JSON.stringify(r.of('maps'))}`);
  return dump;
}

async function bpftoolShows(kind: 'prog' | 'map' | 'link', id: number): Promise<boolean> {
  const res = await runProcess('bpftool', [kind, 'show', 'id', String(id)], {
    timeoutMs: 10_000,
  });
  return res.code === 0;
}

/** Ids the run reported (student programs and maps, dispatcher programs, maps and links). */
function reportedIds(r: Run): { kind: 'prog' | 'map' | 'link'; id: number }[] {
  const ids: { kind: 'prog' | 'map' | 'link'; id: number }[] = [];
  for (const l of r.of('loaded')) {
    for (const p of l.programs) ids.push({ kind: 'prog', id: p.id });
    for (const m of l.maps) ids.push({ kind: 'map', id: m.id });
  }
  for (const a of r.of('attached')) {
    for (const id of a.platform?.programs ?? []) ids.push({ kind: 'prog', id });
    for (const id of a.platform?.maps ?? []) ids.push({ kind: 'map', id });
    for (const id of a.platform?.links ?? []) ids.push({ kind: 'link', id });
  }
  return ids.filter((x) => x.id > 0);
}

/** The kernel frees programs and maps after an RCU grace period: poll briefly. */
async function expectGone(r: Run, cgroup: string): Promise<void> {
  const ids = reportedIds(r);
  expect(ids.length).toBeGreaterThan(0);
  for (const { kind, id } of ids) {
    let shown = true;
    for (let i = 0; i < 50 && shown; i++) {
      shown = await bpftoolShows(kind, id);
      if (shown) await sleep(100);
    }
    expect(shown, `${kind} ${id} still exists`).toBe(false);
  }
  const mounts = findCgroupMounts();
  expect(existsSync(cgroup)).toBe(false);
  const rel = cgroup.slice(mounts.v2.length + 1);
  for (const root of [mounts.memory, mounts.pids])
    if (root) expect(existsSync(join(root, rel))).toBe(false);
}

describe('native loader on the kernel', () => {
  it('builds a dispatcher whose programs read no further than the records they are attached to', () => {
    // Static, nothing loaded: the loader picks each program by the hook's record (hooks.c
    // set_shape), so each must stay inside that record. The kernel would refuse a
    // dispatcher that reads further at attach time; this names the program before any run does.
    const recordBytes: Record<string, number> = {
      disp_enter_openat: 48,
      disp_exit: 24,
      disp_exit_openat: 24,
      disp_raw: 0,
    };
    for (let n = 0; n <= 6; n++) recordBytes[`disp_enter${n}`] = 16 + 8 * n;
    const res = checkObject(readFileSync(join(work, 'native', 'dispatcher.bpf.o')), {
      sections: ['tracepoint'],
      contextSizes: { tracepoint: 64 },
      limits: {
        maxInsns: 1_000_000,
        maxMaps: 8,
        maxMapEntries: 1 << 20,
        maxMapValueBytes: 1 << 20,
        memoryBytes: 1 << 30,
      },
    });
    const reads = Object.fromEntries(res.programs.map((p) => [p.name, p.maxContextRead]));
    expect(reads).toEqual(recordBytes);
    // the analysis followed every program (it only notes that the dispatcher hands its context
    // to the cookie and tail-call helpers, which students may not do)
    const lost = res.diagnostics.filter(
      (d) =>
        d.code?.startsWith('static/context') &&
        !d.message.includes('passes the context pointer to a helper'),
    );
    expect(lost).toEqual([]);
  });

  it('captures exactly the planted secret with the correlating solution', async () => {
    const secret = `s3cret-${Math.random().toString(36).slice(2, 10)}`;
    const cfg = config(objects.solution, secret);
    const r = await run(cfg);
    expect(r.of('fatal')).toEqual([]);
    expect(
      r
        .of('loaded')[0]
        .programs.map((p) => p.name)
        .sort(),
    ).toEqual(
      ['on_close', 'on_open_enter', 'on_open_exit', 'on_read_enter', 'on_read_exit'].sort(),
    );
    // what the verifier processed for each program, kept for passing runs' statistics
    for (const p of r.of('loaded')[0].programs) expect(p.verifiedInsns).toBeGreaterThan(0);
    expect(r.of('attached')[0].hooks).toEqual([...OBSERVE, 'syscalls/sys_enter_close']);
    expect(r.submitted()).toBe(hex(secret));
    expect(r.of('submit').every((s) => s.record.kind === 'user' && !s.record.truncated)).toBe(true);
    // ground truth: the target's own openat of the password with its path, and its reads
    const opens = r.of('syscall').filter((s) => s.hook === 'sys_enter_openat');
    expect(opens.map((o) => o.path)).toContain('/tmp/password');
    expect(
      r.of('syscall').some((s) => s.hook === 'sys_exit_read' && s.ret === String(secret.length)),
    ).toBe(true);
    const exit = r.of('target_exit')[0].exit;
    expect(exit).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(exit.stdout).toMatch(/^read \d+ bytes/);
    expect(r.lines.at(-1)?.type).toBe('done');
    const info = await r.cleaned;
    console.info(
      `load+attach ${r.timings.attachedMs?.toFixed(0)} ms, to done (one target run) ` +
        `${r.timings.doneMs?.toFixed(0)} ms, detach+exit after done ${info.exitedAfterDoneMs?.toFixed(0)} ms`,
    );
    await expectGone(r, cfg.cgroup);
  });

  it('records the openat path at exit when the target never touched the page holding it', async () => {
    // 40 children, one after the other, each a new thread id: more threads than the pids limit
    // (32) that sizes the dispatcher's per-thread map, so every path at exit also shows that
    // each exit deleted its entry (a full map would keep later pointers out)
    const cfg = config(objects.solution, 'x', {
      target: untouchedTarget,
      args: ['40'],
      files: [{ path: '/tmp/untouched.txt', hex: hex('far away'), mode: 0o644 }],
    });
    let mapInfo: Promise<string[]> = Promise.resolve([]);
    const r = await run(cfg, undefined, (l) => {
      if (l.type !== 'attached') return;
      // read while the run is on: the map is gone once the loader exits
      mapInfo = Promise.all(
        (l.platform?.maps ?? []).map(async (id) => {
          const res = await runProcess('bpftool', ['map', 'show', 'id', String(id), '--json'], {
            timeoutMs: 10_000,
          });
          return res.stdout.toString();
        }),
      );
    });
    expect(r.of('fatal')).toEqual([]);
    expect(r.of('target_exit')[0].exit).toMatchObject({
      code: 0,
      stdout: 'opened 41 times, 0 failed\n',
    });
    const events = r.of('syscall');
    const exits = events.filter(
      (s) => s.hook === 'sys_exit_openat' && s.path === '/tmp/untouched.txt',
    );
    expect(exits).toHaveLength(41);
    expect(new Set(exits.map((e) => e.tid)).size).toBe(41);
    // the premise: at enter the string could not be read, for every one of these opens
    const pointer = events.find((s) => s.hook === 'sys_enter_openat' && s.tid === exits[0].tid)
      ?.args?.[1];
    expect(pointer).toBeDefined();
    const enters = events.filter((s) => s.hook === 'sys_enter_openat' && s.args?.[1] === pointer);
    expect(enters).toHaveLength(41);
    expect(enters.filter((e) => e.path !== undefined)).toEqual([]);
    // the grader's record has the path all the same, paired with the enter's arguments
    const opens = pairSyscalls(events).filter((s) => s.name === 'openat' && s.args[1] === pointer);
    expect(opens).toHaveLength(41);
    for (const o of opens) expect(o).toMatchObject({ path: '/tmp/untouched.txt', ret: '3' });
    // paths read at enter still come from the enter (ld.so opening the C library)
    const libc = events.find((s) => s.hook === 'sys_enter_openat' && /libc\.so/.test(s.path ?? ''));
    expect(libc).toBeDefined();
    // the map is sized to the pids limit, not to a fixed guess
    const maps = (await mapInfo).map(
      (j) => JSON.parse(j) as { name?: string; max_entries?: number },
    );
    expect(maps.find((m) => m.name === 'disp_open_paths')).toMatchObject({
      max_entries: 32,
    });
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it('decodes a composite key struct with its field names in the map dump', async () => {
    const c = await run(config(objects['composite-key'], 'composite-secret'));
    const reads = mapNamed(c, 'reads_by_fd');
    expect(reads.keyType).toBe('struct pid_fd_key');
    expect(reads.entries.length).toBeGreaterThan(0);
    const key = reads.entries[0].key;
    expect(key?.kind).toBe('struct');
    if (key?.kind !== 'struct') return;
    expect(key.fields.map((f) => [f.name, f.offset])).toEqual([
      ['pid', 0],
      ['fd', 8],
    ]);
    const pids = new Set(c.of('syscall').map((s) => s.pid));
    const pid = key.fields[0].value;
    expect(pid.kind === 'int' && pids.has(Number(pid.value))).toBe(true);
    // the key was zeroed before use: no padding garbage to report
    expect(key.padding).toBeUndefined();
    expect(reads.valueType).toBe('struct read_stat');
    const value = reads.entries[0].value;
    expect(value?.kind).toBe('struct');
    if (value?.kind !== 'struct') return;
    expect(value.fields.map((f) => f.name)).toEqual(['calls', 'comm']);
    expect(value.fields[1].value).toMatchObject({
      kind: 'chars',
      text: 'target',
    });
    // globals (.bss) are dumped too
    const bss = mapNamed(c, '.bss');
    expect(JSON.stringify(bss.entries[0].value)).toContain('total_reads');
  });

  it('runs a target that lives under /tmp, in a directory whose name has a space', async () => {
    // A checkout under /tmp (where CI clones go) is hidden by the target's private /tmp: the
    // loader opens the target's directory before it mounts that tmpfs.
    const dir = mkdtempSync(join(tmpdir(), 'lab checkout-'));
    try {
      const hidden = join(dir, 'target');
      copyFileSync(target, hidden);
      const secret = `under-tmp-${Math.random().toString(36).slice(2, 10)}`;
      const r = await run(config(objects.solution, secret, { target: hidden }));
      expect(r.of('fatal')).toEqual([]);
      expect(r.submitted()).toBe(hex(secret));
      expect(r.of('target_exit')[0].exit).toMatchObject({ code: 0, timedOut: false });

      // The target keeps its own name as comm (what bpf_get_current_comm reads), as with execv.
      const cat = join(dir, 'comm-reader');
      copyFileSync('/bin/cat', cat);
      chmodSync(cat, 0o755);
      const c = await run(
        config(objects.solution, 'x', { target: cat, args: ['/proc/self/comm'], files: [] }),
      );
      expect(c.of('fatal')).toEqual([]);
      expect(c.of('target_exit')[0].exit.stdout).toBe('comm-reader\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees the other files too when a program submits every read', async () => {
    const secret = 'every-read-secret';
    const r = await run(config(objects['submit-all'], secret));
    const all = r.submitted();
    expect(all).toContain(hex(secret));
    expect(all).toContain(hex('not the password, just bait'));
    expect(all).toContain(hex('some notes'));
    expect(r.of('debug').some((d) => /^read fd=\d+$/.test(d.record.text))).toBe(true);
  });

  it('reports a missing NULL check as verifier_error with the full log', async () => {
    const cfg = config(objects['null-check'], 'x');
    const r = await run(cfg);
    const err = r.of('verifier_error');
    expect(err).toHaveLength(1);
    expect(err[0].program).toBe('exit_read');
    expect(err[0].log).toMatch(/map_value_or_null|invalid mem access/);
    expect(err[0].log).toMatch(/processed \d+ insns/);
    expect(r.of('attached')).toEqual([]);
    expect(r.lines.at(-1)?.type).toBe('done');
    await r.cleaned;
    expect(existsSync(cfg.cgroup)).toBe(false);
  });

  it('reports a section typo as attach_error naming the hook', async () => {
    const r = await run(config(objects['sec-typo'], 'x'));
    const err = r.of('attach_error');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({
      program: 'on_open',
      section: 'tp/syscalls/sys_enter_opnat',
    });
    expect(err[0].message).toContain('no such hook');
    expect(err[0].message).toContain('syscalls/sys_enter_opnat');
    expect(r.of('scenario_start')).toEqual([]);
  });

  it('lets the kernel refuse a program that reads past its record, before the prog array', async () => {
    // The static checks would refuse this object; the loader is called directly so that only
    // the kernel's check stands in the way. sys_enter_acct never fires here, and the refusal
    // comes before the program is attached anywhere.
    const format = '/sys/kernel/tracing/events/syscalls/sys_enter_acct/format';
    expect(readFileSync(format, 'utf8')).toContain('offset:16;\tsize:8;');
    const statically = checkObject(readFileSync(objects['context-overread']), {
      sections: ['tp/syscalls/sys_enter_acct'],
      contextSizes: { 'tp/syscalls/sys_enter_acct': 24 },
      limits: {
        maxInsns: 4096,
        maxMaps: 8,
        maxMapEntries: 4096,
        maxMapValueBytes: 4096,
        memoryBytes: 64 << 20,
      },
    });
    expect(statically.diagnostics.map((d) => d.code)).toContain('static/context-bound');

    const cfg = config(objects['context-overread'], 'x');
    const r = await run(cfg);
    expect(r.of('loaded')).toHaveLength(1);
    expect(r.of('attach_error')).toEqual([
      {
        type: 'attach_error',
        program: 'read_far',
        section: 'tp/syscalls/sys_enter_acct',
        errno: 13,
        message:
          'the kernel refused read_far: it reads its context past the end of ' +
          "sys_enter_acct's 24-byte record",
      },
    ]);
    // the prog array is filled only after every program passed, just before `attached`
    expect(r.of('attached')).toEqual([]);
    expect(r.of('scenario_start')).toEqual([]);
    expect(r.lines.at(-1)?.type).toBe('done');
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it('keeps nothing its programs saw during the kernel check', async () => {
    // The check attaches on_close to sys_enter_close for a moment and then closes that perf
    // event: the loader's own close() runs the program, from outside the run, every time.
    const cfg = config(objects['check-window'], 'window-secret');
    cfg.observe = [...OBSERVE, 'syscalls/sys_enter_close'];
    let loaderPid = -1;
    const r = await run(cfg, undefined, undefined, (pid) => {
      loaderPid = pid;
    });
    expect(r.of('fatal')).toEqual([]);
    expect(loaderPid).toBeGreaterThan(0);
    expect(r.of('attached')[0].kernelCheck?.programs).toBe(1);
    expect(r.of('attached')[0].kernelCheck?.discardedRecords).toBeGreaterThanOrEqual(1);

    const closes = r.of('syscall').filter((s) => s.hook === 'sys_enter_close');
    const targetPids = new Set(closes.map((c) => c.pid));
    expect(closes.length).toBeGreaterThanOrEqual(3);
    expect(targetPids.has(loaderPid)).toBe(false);
    // one record per close of the target, and nothing else
    const submitted = r.of('submit').map((s) => Number(s.record.data));
    expect(submitted).toHaveLength(closes.length);
    for (const pid of submitted) expect(targetPids.has(pid)).toBe(true);
    for (const s of r.of('submit')) expect(targetPids.has(s.record.pid)).toBe(true);
    // maps and globals count the target's closes only
    const byPid = mapNamed(r, 'closes_by_pid');
    const counted = byPid.entries.map((e) => (e.key?.kind === 'int' ? Number(e.key.value) : -1));
    expect(counted.sort()).toEqual([...targetPids].sort());
    const global = (section: string, name: string) => {
      const value = mapNamed(r, section).entries[0]?.value;
      const field =
        value?.kind === 'struct' ? value.fields.find((f) => f.name === name) : undefined;
      return field?.value.kind === 'int' ? Number(field.value.value) : undefined;
    };
    expect(global('.bss', 'closes_seen')).toBe(closes.length);
    expect(global('.data', 'closes_from_100')).toBe(100 + closes.length);
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it('refuses an object whose maps libbpf sees otherwise than the static checks did', async () => {
    // As if a hand-made section had shown the checks one thing and libbpf another: each
    // difference is refused before libbpf creates anything.
    const object = objects['many-globals'];
    const seen = checkedMaps(object);
    expect(seen.map((m) => m.name)).toEqual(
      expect.arrayContaining(['per_cpu', 'lab_events', '.data', '.bss', '.data.g19']),
    );
    const variants: [string, LoaderConfig['maps'], RegExp][] = [
      ['a map it never saw', seen.filter((m) => m.name !== 'per_cpu'), /a map per_cpu that the/],
      ['a map libbpf lacks', [...seen, { ...seen[0], name: 'ghost' }], /map ghost that libbpf/],
      [
        'other sizes',
        seen.map((m) => (m.name === 'per_cpu' ? { ...m, maxEntries: 16 } : m)),
        /map per_cpu is percpu_array with 4-byte keys, 4096-byte values, 2048 entries/,
      ],
      [
        'other flags',
        seen.map((m) => (m.name === 'lab_events' ? { ...m, flags: 1 } : m)),
        /map lab_events is ringbuf/,
      ],
      [
        'another global size',
        seen.map((m) => (m.name === '.data.g07' ? { ...m, valueSize: 4096 } : m)),
        /map \.data\.g07 is array with 4-byte keys, 8-byte values/,
      ],
      ['a global it never saw', seen.filter((m) => m.name !== '.bss'), /a map \.bss that the/],
    ];
    for (const [what, maps, message] of variants) {
      const cfg = { ...config(object, 'x'), maps };
      const r = await run(cfg);
      expect(r.of('object_refused'), what).toHaveLength(1);
      expect(r.of('object_refused')[0].message, what).toMatch(message);
      expect(r.of('loaded'), what).toEqual([]);
      expect(r.lines.at(-1)?.type, what).toBe('done');
      await r.cleaned;
      expect(existsSync(cfg.cgroup)).toBe(false);
    }
  });

  it('counts per-CPU maps once per possible CPU against the map memory limit', async () => {
    const cpus = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    const ncpu = cpus
      .split(',')
      .map((r) => r.split('-').map(Number))
      .reduce((n, [a, b]) => n + (b === undefined ? 1 : b - a + 1), 0);
    // 2048 values of 4 KiB: 8 MiB counted once, 8 MiB per CPU in the kernel
    const perCpu = 2048 * (4 + 4096 * ncpu);
    const cfg = config(objects['many-globals'], 'x');
    cfg.limits.mapMemoryBytes = 9 << 20;
    expect(perCpu).toBeGreaterThan(cfg.limits.mapMemoryBytes);
    const r = await run(cfg);
    expect(r.of('limit').map((l) => [l.name, l.message])).toEqual([
      [
        'map-memory',
        `your maps and globals need more than ${9 << 20} bytes (per-CPU maps count once for each ` +
          `of the ${ncpu} possible CPUs)`,
      ],
    ]);
    expect(r.of('loaded')).toEqual([]);
    await r.cleaned;
  });

  it('caps what the map dumps of a whole run may take, in entries and in bytes', async () => {
    // 2048 per-CPU values of 4 KiB: far more than a run shows
    const bytes = config(objects['many-globals'], 'x');
    bytes.limits.mapDumpBytes = 64 << 10;
    bytes.scenarios.push({ ...bytes.scenarios[0], id: 'second' });
    const b = await run(bytes);
    expect(b.of('limit').map((l) => [l.name, l.scenario])).toEqual([['map-dump', 'main']]);
    expect(b.of('limit')[0].message).toContain('64 KiB');
    const dumped = b
      .of('maps')
      .map((m) => JSON.stringify(m.maps))
      .join('');
    expect(dumped.length).toBeLessThan((64 << 10) + 8192);
    expect(b.of('maps').map((m) => m.scenario)).toEqual(['main', 'second']);
    expect(b.of('maps')[1].maps.every((m) => m.entries.length === 0)).toBe(true);
    expect(mapNamed(b, 'per_cpu').truncated).toBe(true);

    const entries = config(objects['many-globals'], 'x');
    entries.limits.mapDumpEntries = 5;
    const e = await run(entries);
    expect(e.of('limit').map((l) => l.name)).toEqual(['map-dump']);
    expect(e.of('limit')[0].message).toContain('5 entries');
    const shown = e.of('maps')[0].maps.reduce((n, m) => n + m.entries.length, 0);
    expect(shown).toBe(5);
    await e.cleaned;
    await expectGone(e, entries.cgroup);
  });

  it('starts every scenario from the initial values of every global section', async () => {
    const cfg = config(objects['many-globals'], 'x');
    cfg.limits.mapMemoryBytes = 64 << 20;
    cfg.limits.maxMapEntries = 1;
    cfg.observe = [...OBSERVE, 'syscalls/sys_enter_close'];
    cfg.scenarios.push({ ...cfg.scenarios[0], id: 'second' });
    const r = await run(cfg);
    expect(r.of('fatal')).toEqual([]);
    const closes = (scenario: string) =>
      r.of('syscall').filter((s) => s.scenario === scenario && s.hook === 'sys_enter_close').length;
    const value = (scenario: string, section: string) => {
      const dump = r
        .of('maps')
        .find((m) => m.scenario === scenario)
        ?.maps.find((m) => m.name === section || m.name.endsWith(`.${section.slice(1)}`));
      const v = dump?.entries[0]?.value;
      const f = v?.kind === 'struct' ? v.fields[0]?.value : undefined;
      return f?.kind === 'int' ? Number(f.value) : undefined;
    };
    for (const scenario of ['main', 'second']) {
      const n = closes(scenario);
      expect(n).toBeGreaterThan(0);
      expect(value(scenario, '.bss')).toBe(n);
      expect(value(scenario, '.data')).toBe(1000 + n);
      for (let i = 0; i < 20; i++) {
        expect(value(scenario, `.data.g${String(i).padStart(2, '0')}`), `${scenario} g${i}`).toBe(
          i + 1 + n,
        );
      }
    }
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it("stops the verifier at the run's time budget and names the limit", async () => {
    // eight programs of ~600,000 verified instructions each: ~4 s of verifier time here
    const cfg = config(objects['slow-verify'], 'x');
    cfg.limits.verifyMs = 300;
    const r = await run(cfg);
    expect(r.of('limit').map((l) => [l.name, l.message])).toEqual([
      [
        'verifier-time',
        "the verifier took longer than 300 ms, the lab's budget for a run, to check your " +
          'programs; make them simpler (fewer branches, shorter loops)',
      ],
    ]);
    expect(r.of('loaded')).toEqual([]);
    expect(r.of('verifier_error')).toEqual([]);
    expect(r.lines.at(-1)?.type).toBe('done');
    await r.cleaned;
    expect(existsSync(cfg.cgroup)).toBe(false);
  });

  it("refuses programs whose verification passes the run's instruction budget", async () => {
    const cfg = config(objects.bounds, 'x');
    cfg.limits.verifiedInsns = 1000;
    const r = await run(cfg);
    const limits = r.of('limit');
    expect(limits.map((l) => l.name)).toEqual(['verifier-insns']);
    expect(limits[0].message).toMatch(
      /^the verifier had to check \d+ instructions across your programs; the lab allows 1000 per run/,
    );
    expect(r.of('loaded')).toEqual([]);

    // within the budget, each program says what its verification took
    const ok = await run(config(objects.solution, 'x'));
    const counts = ok.of('loaded')[0].programs.map((p) => p.verifiedInsns ?? 0);
    expect(counts.every((n) => n > 0 && n < 1000)).toBe(true);
  });

  it(
    'reports the end of a verifier log that filled its buffer, within 1 MiB',
    { timeout: 120_000 },
    async () => {
      // load only: the run's verification budget would stop this walk before its log is written
      const res = await runProcess(loaderPath, ['--load-only', objects['huge-log']], {
        timeoutMs: 110_000,
        maxOutputBytes: 16 << 20,
      });
      const [first] = res.stdout.toString().split('\n');
      // 1 MiB of log, JSON-escaped: far under what the runner reads of one line
      expect(first.length).toBeLessThan(1.5 * (1 << 20));
      const line = JSON.parse(first) as LoaderLine;
      expect(line.type).toBe('verifier_error');
      if (line.type !== 'verifier_error') return;
      expect(line.errno).toBe(28); // ENOSPC: the kernel's way of saying the log did not fit
      expect(line.log).toMatch(/^\[the first \d+ KiB of the verifier log are cut\]\n/);
      expect(line.log).toMatch(/processed 1000001 insns \(limit 1000000\)/);
    },
  );

  it('loads every way of bounding a length in lab.h macros (load only, nothing attached)', async () => {
    const res = await runProcess(loaderPath, ['--load-only', objects.bounds], {
      timeoutMs: 30_000,
    });
    const lines = res.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LoaderLine);
    const loaded = lines.find((l) => l.type === 'loaded');
    expect(lines.find((l) => l.type === 'verifier_error')).toBeUndefined();
    expect(loaded?.type === 'loaded' && loaded.programs.map((p) => p.name).sort()).toEqual(
      [
        'map_value',
        'numbers_and_debug',
        'stack_masked',
        'stack_signed',
        'stack_unbounded',
        'user_checked',
        'user_int_ret',
        'user_masked',
        'user_signed_ret',
        'user_unbounded',
      ].sort(),
    );
  });

  it('runs several programs on one hook, records each call once, and handles raw tracepoints', async () => {
    const cfg = config(objects.bounds, 'several-programs');
    cfg.observe = [...OBSERVE, 'sched/sched_process_exec'];
    const r = await run(cfg);
    expect(r.of('attach_error')).toEqual([]);
    expect(r.of('attached')[0].hooks).toContain('sched/sched_process_exec');
    const execs = r.of('syscall').filter((s) => s.hook === 'sched_process_exec');
    expect(execs).toHaveLength(1);
    // 8 programs sit on sys_enter_read, yet each read is recorded once, with its exit
    const enters = r.of('syscall').filter((s) => s.hook === 'sys_enter_read');
    const exits = r.of('syscall').filter((s) => s.hook === 'sys_exit_read');
    expect(enters.length).toBeGreaterThan(0);
    expect(exits).toHaveLength(enters.length);
    expect(new Set(enters.map((e) => e.ts)).size).toBe(enters.length);
    const nums = r
      .of('submit')
      .filter((s) => s.record.kind === 'num')
      .map((s) => s.record.data);
    expect(nums).toContain('-1');
    const fd = enters.at(-1)?.args?.[0];
    expect(r.of('debug').map((d) => d.record.text)).toContain(
      `fd=${fd} count=64 pid=${execs[0].pid}`,
    );
  });

  it('keeps two concurrent runs apart: each sees only its own target and secret', async () => {
    const [a, b] = ['first-secret-aaaa', 'second-secret-bbbb'];
    const [ra, rb] = await Promise.all([
      run(config(objects['submit-all'], a)),
      run(config(objects['submit-all'], b)),
    ]);
    expect(ra.submitted()).toContain(hex(a));
    expect(ra.submitted()).not.toContain(hex(b));
    expect(rb.submitted()).toContain(hex(b));
    expect(rb.submitted()).not.toContain(hex(a));
    const pidsA = new Set(ra.of('syscall').map((s) => s.pid));
    const pidsB = new Set(rb.of('syscall').map((s) => s.pid));
    expect([...pidsA].some((p) => pidsB.has(p))).toBe(false);
    for (const s of ra.of('submit')) expect(pidsA.has(s.record.pid)).toBe(true);
    for (const s of rb.of('submit')) expect(pidsB.has(s.record.pid)).toBe(true);
  });

  it('never sees a process outside the run that reads /tmp/password in a loop', async () => {
    const outside = 'outside-run-secret-zzz';
    const created = !existsSync('/tmp/password');
    if (created) writeFileSync('/tmp/password', outside);
    const loop = startProcess(target, ['--loop', '100000000', '/tmp/password'], {
      timeoutMs: 60_000,
    });
    try {
      await sleep(50);
      const secret = 'inside-run-secret';
      const r = await run(config(objects['submit-all'], secret));
      const s = await run(config(objects.solution, secret));
      expect(s.submitted()).toBe(hex(secret));
      if (created) expect(r.submitted()).not.toContain(hex(outside));
      const seen = new Set(
        [...r.lines, ...s.lines].flatMap((l) =>
          'pid' in l ? [l.pid] : 'record' in l ? [l.record.pid] : [],
        ),
      );
      expect(loop.pid).toBeDefined();
      expect(seen.has(loop.pid ?? -1)).toBe(false);
      expect(seen.size).toBeGreaterThan(0);
    } finally {
      loop.kill();
      await loop.result;
      if (created) rmSync('/tmp/password', { force: true });
    }
  });

  it('names every limit it hits: wall time, records, syscalls, output', async () => {
    const loop = { args: ['--loop', '100000000', '/tmp/bait.txt'] };
    const slow = await run(config(objects.solution, 'x', { ...loop, wallMs: 300 }));
    expect(slow.of('limit').map((l) => l.name)).toContain('wall-time');
    expect(slow.of('limit').find((l) => l.name === 'wall-time')?.message).toContain('300 ms');
    expect(slow.of('target_exit')[0].exit).toMatchObject({
      timedOut: true,
      signal: 'SIGKILL',
      code: null,
    });
    expect(slow.of('maps')).toHaveLength(1);
    expect(slow.lines.at(-1)?.type).toBe('done');

    const cfg = config(objects['submit-all'], 'x', { ...loop, wallMs: 5000 });
    cfg.limits = {
      ...cfg.limits,
      maxRecords: 50,
      maxSyscalls: 20,
      maxOutputBytes: 4,
    };
    const flood = await run(cfg);
    const names = flood.of('limit').map((l) => l.name);
    expect(names).toContain('records');
    expect(names).toContain('syscalls');
    expect(flood.of('limit').find((l) => l.name === 'records')?.message).toContain('50 records');
    expect(flood.of('submit').length + flood.of('debug').length).toBe(50);
    expect(flood.of('syscall')).toHaveLength(20);
    // the record flood stopped the target long before its wall time
    expect(flood.of('target_exit')[0].exit).toMatchObject({
      timedOut: false,
      signal: 'SIGKILL',
    });

    const chatty = config(objects.solution, 'x');
    chatty.limits = { ...chatty.limits, maxOutputBytes: 4 };
    const out = await run(chatty);
    expect(out.of('limit').map((l) => l.name)).toEqual(['output']);
    expect(out.of('target_exit')[0].exit.stdout).toBe('read');
  });

  it('starts every scenario from empty maps', async () => {
    const cfg = config(objects['composite-key'], 'x');
    cfg.scenarios.push({
      ...cfg.scenarios[0],
      id: 'second',
      args: ['/tmp/notes.txt'],
    });
    const r = await run(cfg);
    const maps = r.of('maps');
    expect(maps.map((m) => m.scenario)).toEqual(['main', 'second']);
    const secondPids = new Set(
      r
        .of('syscall')
        .filter((s) => s.scenario === 'second')
        .map((s) => s.pid),
    );
    const entries = maps[1].maps.find((m) => m.name === 'reads_by_fd')?.entries ?? [];
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      const pid = e.key?.kind === 'struct' ? e.key.fields[0].value : undefined;
      expect(pid?.kind === 'int' && secondPids.has(Number(pid.value))).toBe(true);
    }
  });

  it('sweeps cgroups left by dead servers and keeps live ones', async () => {
    const mounts = findCgroupMounts();
    const dead = join(mounts.v2, paths.cgroupParentName, 'p999999999-stale-test');
    const live = cgroupForRun(`sweep-live-${process.pid}`);
    const roots = [mounts.v2, mounts.memory, mounts.pids].filter((r): r is string => !!r);
    for (const root of roots) {
      mkdirSync(join(root, paths.cgroupParentName, 'p999999999-stale-test'), {
        recursive: true,
      });
    }
    mkdirSync(live, { recursive: true });
    try {
      const removed = await sweepStaleCgroups(mounts);
      expect(removed).toContain(dead);
      for (const root of roots)
        expect(existsSync(join(root, paths.cgroupParentName, 'p999999999-stale-test'))).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmdirSync(live);
    }
  });

  it('leaves no program, link, map or cgroup behind, even when the loader is killed mid-run', async () => {
    const runs: { r: Run; cgroup: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const killHalfway = i % 2 === 1;
      const cfg = config(
        killHalfway ? objects.solution : objects['submit-all'],
        `cleanup-${i}`,
        killHalfway ? { args: ['--loop', '100000000', '/tmp/bait.txt'], wallMs: 20_000 } : {},
      );
      const ac = new AbortController();
      const r = await run(cfg, ac.signal, (l) => {
        // SIGKILL the loader (its whole process group) once the target runs
        if (killHalfway && l.type === 'scenario_start') setTimeout(() => ac.abort(), 200);
      });
      if (killHalfway) {
        expect(ac.signal.aborted).toBe(true);
        expect(r.of('done')).toEqual([]);
      } else {
        expect(r.of('done')).toHaveLength(1);
      }
      await r.cleaned;
      runs.push({ r, cgroup: cfg.cgroup });
    }
    for (const { r, cgroup } of runs) await expectGone(r, cgroup);
  });
});
