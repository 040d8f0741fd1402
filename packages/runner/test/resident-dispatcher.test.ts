// Kernel tests of the resident dispatcher (native/loader/resident.c): one `loader --resident`
// that stays attached while runs are slotted in and out. Real programs on this kernel, the
// loader set-up built; the fixtures are the loader's own (native/loader/test/).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderConfig, LoaderLine } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupForRun, mapViewOf, runLoader } from '../src/loader/index.ts';
import { ResidentDispatcher } from '../src/loader/resident.ts';
import { paths } from '../src/paths.ts';
import { runProcess } from '../src/process.ts';
import { checkObject } from '../src/static-check/index.ts';
import { readLines } from './loader-harness.ts';

const fixtures = join(paths.loaderSourceDir, 'test');
const OBSERVE = [
  'syscalls/sys_enter_openat',
  'syscalls/sys_exit_openat',
  'syscalls/sys_enter_read',
  'syscalls/sys_exit_read',
];
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

let work: string;
let target: string;
const objects: Record<string, string> = {};
let dispatcher: ResidentDispatcher | undefined;

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const res = await runProcess(cmd, args, { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`${cmd} failed: ${res.stderr.toString()}`);
}

beforeAll(async () => {
  work = mkdtempSync(join(paths.buildDir, 'test-resident-'));
  target = join(work, 'target');
  await mustRun('gcc', ['-O2', '-o', target, join(fixtures, 'target.c')]);
  for (const name of ['solution', 'submit-all', 'overread-beside']) {
    objects[name] = join(work, `${name}.bpf.o`);
    await mustRun('clang', [
      ...['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I'],
      ...[join(paths.templatesDir, 'common'), '-I', paths.includeDir, '-c'],
      ...[join(fixtures, `${name}.bpf.c`), '-o', objects[name]],
    ]);
  }
  dispatcher = await ResidentDispatcher.start(paths.loader);
}, 180_000);

afterAll(async () => {
  await dispatcher?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

let seq = 0;
function config(object: string, secret: string, args?: string[], wallMs = 3000): LoaderConfig {
  const checked = checkObject(readFileSync(object), {
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
  return {
    object,
    maps: mapViewOf(checked),
    observe: OBSERVE,
    cgroup: cgroupForRun(`resident-test-${process.pid}-${++seq}`),
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
        args: args ?? ['/tmp/bait.txt', '/tmp/password', '/tmp/notes.txt'],
        files: [
          { path: '/tmp/bait.txt', hex: hex('not the password, just bait'), mode: 0o644 },
          { path: '/tmp/password', hex: hex(secret), mode: 0o600 },
          { path: '/tmp/notes.txt', hex: hex('some notes'), mode: 0o644 },
        ],
        wallMs,
      },
    ],
  };
}

interface Run {
  lines: LoaderLine[];
  error?: unknown;
  of<T extends LoaderLine['type']>(type: T): Extract<LoaderLine, { type: T }>[];
  submitted(): string;
}

async function run(
  cfg: LoaderConfig,
  socket: string | undefined,
  onLine?: (l: LoaderLine, pid?: number) => void,
): Promise<Run> {
  const lines: LoaderLine[] = [];
  let pid: number | undefined;
  let error: unknown;
  try {
    await runLoader(
      cfg,
      (l) => {
        lines.push(l);
        onLine?.(l, pid);
      },
      undefined,
      { dispatcherSocket: socket, onSpawn: (p) => (pid = p) },
    );
  } catch (e) {
    error = e;
  }
  const { of, submitted } = readLines(lines);
  return { lines, error, of, submitted };
}

function socket(): string {
  if (!dispatcher?.alive) throw new Error('the resident dispatcher is not running');
  return dispatcher.socketPath;
}

/** The ids of the programs, maps and links a process holds, from its fds' fdinfo. */
function heldBy(pid: number): Record<'prog' | 'map' | 'link', number[]> {
  const held = { prog: [] as number[], map: [] as number[], link: [] as number[] };
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    const m = /^(prog|map|link)_id:\s*(\d+)$/m.exec(info);
    if (m) held[m[1] as 'prog' | 'map' | 'link'].push(Number(m[2]));
  }
  return held;
}

/** The perf events a process holds programs on (`bpftool perf`), with each program's name. */
function perfEventsOf(pid: number): { tracepoint?: string; program?: string }[] {
  const all = JSON.parse(execFileSync('bpftool', ['perf', 'show', '--json'], { encoding: 'utf8' }));
  return (all as { pid: number; prog_id: number; tracepoint?: string }[])
    .filter((e) => e.pid === pid)
    .map((e) => ({
      tracepoint: e.tracepoint,
      program: (
        JSON.parse(
          execFileSync('bpftool', ['prog', 'show', 'id', String(e.prog_id), '--json'], {
            encoding: 'utf8',
          }),
        ) as { name?: string }
      ).name,
    }));
}

/** The entries of one of the resident dispatcher's maps, by name. */
function entries(pid: number, name: string): unknown[] {
  for (const id of heldBy(pid).map) {
    const show = JSON.parse(
      execFileSync('bpftool', ['map', 'show', 'id', String(id), '--json'], { encoding: 'utf8' }),
    ) as { name?: string };
    if (show.name !== name) continue;
    const out = execFileSync('bpftool', ['map', 'dump', 'id', String(id), '--json'], {
      encoding: 'utf8',
    });
    return (JSON.parse(out) as unknown[] | null) ?? [];
  }
  throw new Error(`the resident dispatcher holds no map ${name}`);
}

/** What the target did, without the run's own pids and times: comparable across runs. */
function trace(r: Run): string[] {
  return r
    .of('syscall')
    .map((s) => `${s.phase} ${s.hook} ${'path' in s ? (s.path ?? '') : ''}`)
    .filter((s) => !s.includes('/lib') && !s.includes('ld.so'));
}

describe('resident dispatcher on the kernel', () => {
  it('slots two concurrent runs in: each sees only its own target and secret', async () => {
    const [a, b] = ['resident-secret-aaaa', 'resident-secret-bbbb'];
    const [ra, rb] = await Promise.all([
      run(config(objects['submit-all'], a), socket()),
      run(config(objects['submit-all'], b), socket()),
    ]);
    for (const r of [ra, rb]) {
      expect(r.error).toBeUndefined();
      expect(r.lines.at(-1)?.type).toBe('done');
      // slotted into the resident dispatcher: the run attached no dispatcher of its own
      const attached = r.of('attached')[0];
      expect(attached.platform?.programs).toEqual([]);
      expect(attached.platform?.links).toEqual([]);
      // its own ring buffer and lost-event counter, nothing else
      expect(attached.platform?.maps).toHaveLength(2);
    }
    expect(ra.submitted()).toContain(hex(a));
    expect(ra.submitted()).not.toContain(hex(b));
    expect(rb.submitted()).toContain(hex(b));
    expect(rb.submitted()).not.toContain(hex(a));
    const pidsA = new Set(ra.of('syscall').map((s) => s.pid));
    const pidsB = new Set(rb.of('syscall').map((s) => s.pid));
    expect(pidsA.size).toBeGreaterThan(0);
    expect([...pidsA].some((p) => pidsB.has(p))).toBe(false);
    for (const s of ra.of('submit')) expect(pidsA.has(s.record.pid)).toBe(true);
    for (const s of rb.of('submit')) expect(pidsB.has(s.record.pid)).toBe(true);
  });

  it('observes and submits exactly what a dispatcher of the run’s own does', async () => {
    const secret = 'same-either-way';
    const resident = await run(config(objects.solution, secret), socket());
    const own = await run(config(objects.solution, secret), undefined);
    expect(own.of('attached')[0].platform?.links.length).toBeGreaterThan(0);
    expect(resident.submitted()).toBe(hex(secret));
    expect(own.submitted()).toBe(hex(secret));
    expect(trace(resident)).toEqual(trace(own));
    // the openat paths read at exit, where the enter could not read them yet
    expect(trace(resident).filter((t) => t.startsWith('exit sys_exit_openat /tmp/'))).toHaveLength(
      3,
    );
  });

  it('counts lost events per run: a flood beside a quiet run, then a run in a reused slot', async () => {
    // 2000 rounds without a pause: ~8 times what the ring holds, faster than it is read
    const floodCfg = config(objects.solution, 'f', ['--loop', '2000', '/tmp/bait.txt'], 10_000);
    floodCfg.limits.maxSyscalls = 100_000;
    const quietLoop = ['--loop', '50', '--pause-us', '1000', '/tmp/bait.txt'];
    const [flood, quiet] = await Promise.all([
      run(floodCfg, socket()),
      run(config(objects.solution, 'q', quietLoop, 10_000), socket()),
    ]);
    for (const r of [flood, quiet]) {
      expect(r.error).toBeUndefined();
      expect(r.of('attached')[0].platform?.links).toEqual([]); // both in the resident one
    }
    const lost = flood.of('lost_events');
    expect(lost).toHaveLength(1);
    expect(flood.of('syscall').length + lost[0].count).toBe(6 + 6 * 2000);
    expect(quiet.of('lost_events')).toEqual([]);
    expect(quiet.of('syscall')).toHaveLength(6 + 6 * 50);
    // the flood's slot is free again: whichever slot the next run takes starts from zero
    const after = await run(config(objects.solution, 'a', ['/tmp/bait.txt']), socket());
    expect(after.of('lost_events')).toEqual([]);
    expect(after.of('syscall')).toHaveLength(12);
  });

  it('attaches each hook once: later runs on the same hooks add no link', async () => {
    const pid = dispatcher?.pid ?? 0;
    await run(config(objects.solution, 'x'), socket());
    const before = heldBy(pid).link;
    expect(before.length).toBeGreaterThan(0);
    await run(config(objects['submit-all'], 'y'), socket());
    expect(heldBy(pid).link).toEqual(before);
  });

  it('lends the kernel check the events it holds, and an over-read is refused each time', async () => {
    // overread-beside: one program reads inside sys_enter_acct's record, one past it, on a hook
    // that never fires here. Checked twice, the second time on the event the first run left.
    for (let i = 0; i < 2; i++) {
      const r = await run(config(objects['overread-beside'], 'x'), socket());
      expect(r.error).toBeUndefined();
      expect(r.of('attach_error')).toEqual([
        {
          type: 'attach_error',
          program: 'read_just_past',
          section: 'tp/syscalls/sys_enter_acct',
          errno: 13,
          message:
            'the kernel refused read_just_past: it reads its context past the end of ' +
            "sys_enter_acct's 24-byte record",
        },
      ]);
      expect(r.of('attached')).toEqual([]);
      expect(r.of('fatal')).toEqual([]);
      expect(r.lines.at(-1)?.type).toBe('done');
    }
    // one check event for the hook, the resident process's, holding its do-nothing program
    // (beside the dispatcher's own attachments there)
    const held = perfEventsOf(dispatcher?.pid ?? 0).filter(
      (e) => e.tracepoint === 'sys_enter_acct' && e.program === 'lab_holder',
    );
    expect(held).toHaveLength(1);
  });

  it('takes a dispatcher of its own when the resident one cannot be reached', async () => {
    const r = await run(config(objects.solution, 'fallback'), join(work, 'no-such.sock'));
    expect(r.error).toBeUndefined();
    expect(r.submitted()).toBe(hex('fallback'));
    expect(r.of('attached')[0].platform?.links.length).toBeGreaterThan(0);
  });

  it('slots out every run, killed loaders too, and leaves nothing when it stops', async () => {
    const d = dispatcher;
    if (!d?.pid) throw new Error('no resident dispatcher');
    const pid = d.pid;
    // a run whose loader is killed halfway, as the OOM killer would
    const loop = ['--loop', '100000000', '/tmp/bait.txt'];
    const killed = await run(config(objects.solution, 'k', loop, 5000), socket(), (l, lp) => {
      if (l.type === 'scenario_start' && lp) process.kill(lp, 'SIGKILL');
    });
    expect(killed.error).toBeDefined();
    await run(config(objects.solution, 'z'), socket());
    // no run is slotted in any more: no cgroup, no program, no ring buffer, no kept path
    for (let i = 0; i < 50 && entries(pid, 'disp_runs').length; i++) await sleep(100);
    expect(entries(pid, 'disp_runs')).toEqual([]);
    expect(entries(pid, 'disp_progs')).toEqual([]);
    expect(entries(pid, 'disp_events')).toEqual([]);
    expect(entries(pid, 'disp_lost')).toEqual([]);
    expect(entries(pid, 'disp_open_paths')).toEqual([]);

    const held = heldBy(pid);
    expect(held.prog.length).toBeGreaterThan(0);
    await d.stop();
    const ids = (kind: 'prog' | 'map' | 'link') => held[kind];
    const shown = async (kind: string, id: number) =>
      (await runProcess('bpftool', [kind, 'show', 'id', String(id)], { timeoutMs: 10_000 }))
        .code === 0;
    for (const kind of ['prog', 'map', 'link'] as const)
      for (const id of ids(kind)) {
        let still = true;
        // the kernel frees them after an RCU grace period
        for (let i = 0; i < 50 && still; i++) {
          still = await shown(kind, id);
          if (still) await sleep(100);
        }
        expect(still, `${kind} ${id} of the stopped resident dispatcher`).toBe(false);
      }
    dispatcher = await ResidentDispatcher.start(paths.loader);
  });

  it('ends a run with a fatal line, never a verdict, when the resident dispatcher dies', async () => {
    const d = dispatcher;
    if (!d?.pid) throw new Error('no resident dispatcher');
    const loop = ['--loop', '100000000', '/tmp/bait.txt'];
    const r = await run(config(objects.solution, 'gone', loop, 5000), socket(), (l) => {
      if (l.type === 'scenario_start' && d.pid) process.kill(d.pid, 'SIGKILL');
    });
    expect(r.error).toBeDefined();
    expect(r.of('done')).toEqual([]);
    expect(r.of('target_exit')).toEqual([]);
    expect(r.of('fatal').map((f) => f.message)).toEqual([
      'scenario main: the resident dispatcher stopped during the run',
    ]);
  });
});
