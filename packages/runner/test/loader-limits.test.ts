// Kernel tests of the native loader's limits and isolation: verification budgets, several
// programs on one hook, concurrent runs kept apart, named limits, empty maps per scenario, and
// nothing left behind, even by a killed loader. Shared set-up in loader-harness.ts.
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderLine } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { cgroupForRun, findCgroupMounts, sweepStaleCgroups } from '../src/loader/index.ts';
import { paths } from '../src/paths.ts';
import { runProcess, startProcess } from '../src/process.ts';
import {
  setUpLoaderTests,
  loaderPath,
  target,
  objects,
  OBSERVE,
  hex,
  config,
  run,
  expectGone,
} from './loader-harness.ts';
import type { Run } from './loader-harness.ts';

setUpLoaderTests();

describe('native loader limits and isolation on the kernel', () => {
  it("stops the verifier at the run's time budget and names the limit", async () => {
    // eight programs of ~600,000 verified instructions each: ~4 s of verifier time here
    const cfg = config(objects['slow-verify'], 'x');
    cfg.limits.verifyMs = 300;
    const r = await run(cfg);
    expect(r.of('limit').map((l) => [l.name, l.message])).toEqual([
      [
        'verifier-time',
        "the verifier used more than 300 ms of processor time, the lab's budget for a run, to " +
          'check your programs; make them simpler (fewer branches, shorter loops)',
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

  it('records every traced call of a run that makes more events than its ring buffer holds', async () => {
    // The dispatcher wakes the loader only once a quarter of the ring waits (else the loader
    // reads it when the target exits): 600 rounds of open and two reads make 3600 events,
    // ~1.2 MB, over twice the ring, all of which must arrive. The pause after each round keeps
    // the target slower than the loader and the runner read (a flood without pauses is not).
    const cfg = config(objects.solution, 'x', {
      args: ['--loop', '600', '--pause-us', '1000', '/tmp/bait.txt'],
    });
    cfg.limits = { ...cfg.limits, maxSyscalls: 20_000 };
    const r = await run(cfg);
    expect(r.of('limit')).toEqual([]);
    const calls = r.of('syscall');
    const count = (hook: string, pick: (s: (typeof calls)[number]) => boolean = () => true) =>
      calls.filter((s) => s.hook === hook && pick(s)).length;
    const bait = (s: (typeof calls)[number]) => s.path === '/tmp/bait.txt';
    expect(count('sys_enter_openat', bait)).toBe(600);
    expect(count('sys_exit_openat', bait)).toBe(600);
    // each round reads the 27 bytes, then end of file
    expect(count('sys_exit_read', (s) => s.ret === '27')).toBe(600);
    expect(count('sys_exit_read', (s) => s.ret === '0')).toBe(600);
    expect(count('sys_enter_read')).toBe(count('sys_exit_read'));
    expect(r.of('target_exit')[0].exit).toMatchObject({ code: 0, timedOut: false });
  });

  it('counts the traced calls a flood made faster than the ring is read, per scenario', async () => {
    // The same rounds without the pause: 2000 rounds make 12,000 events of 352 bytes in the ring
    // (~8 times the 512 KiB it holds) within ~0.1 s here, faster than the loader reads them. The
    // hooks record this run's cgroup alone, so only its own target makes events.
    const cfg = config(objects.solution, 'x', {
      id: 'flood',
      args: ['--loop', '2000', '/tmp/bait.txt'],
      wallMs: 10_000,
    });
    // the next scenario makes its twelve events and loses none: its count starts from zero
    cfg.scenarios.push({ ...cfg.scenarios[0], id: 'quiet', args: ['/tmp/bait.txt'] });
    cfg.limits = { ...cfg.limits, maxSyscalls: 100_000 };
    const r = await run(cfg);
    const lost = r.of('lost_events');
    expect(lost.map((l) => [l.scenario, l.ringBytes])).toEqual([['flood', 512 * 1024]]);
    const flood = r.of('syscall').filter((s) => s.scenario === 'flood');
    // every event is either recorded or counted: the target's own 6 set-up calls and 6 per round
    expect(flood.length + lost[0].count).toBe(6 + 6 * 2000);
    expect(lost[0].count).toBeGreaterThan(0);
    expect(r.of('syscall').filter((s) => s.scenario === 'quiet')).toHaveLength(12);
    expect(r.of('limit')).toEqual([]);
    expect(r.lines.at(-1)?.type).toBe('done');
    await r.cleaned;
  });

  it("tells the student when their programs' records found their ring full", async () => {
    // Two records for each read (a DEBUG and a SUBMIT_USER), two reads a round, 2000 rounds with
    // no pause: 8,000 records of 296 bytes against the 885 that lab.h's 256 KiB ring holds.
    const cfg = config(objects['submit-all'], 'x', {
      args: ['--loop', '2000', '/tmp/bait.txt'],
      wallMs: 10_000,
    });
    cfg.scenarios.push({ ...cfg.scenarios[0], id: 'calm', args: ['/tmp/bait.txt'] });
    cfg.limits = { ...cfg.limits, maxRecords: 100_000, maxSyscalls: 100_000 };
    const r = await run(cfg);
    const dropped = r.of('limit').filter((l) => l.name === 'records-dropped');
    expect(dropped.map((l) => l.scenario)).toEqual(['main']);
    expect(dropped[0].message).toContain('the 885 records its ring buffer holds were waiting');
    const got = (id: string) =>
      r.of('submit').filter((s) => s.scenario === id).length +
      r.of('debug').filter((s) => s.scenario === id).length;
    // the target's own read of libc adds two
    expect(got('main')).toBeLessThan(8000 + 2);
    // a scenario that sends few records is not told anything
    expect(got('calm')).toBe(4 + 2);
    expect(r.lines.at(-1)?.type).toBe('done');

    // paced, more records than the ring holds all arrive, read as they come, and nothing is said
    const paced = config(objects['submit-all'], 'x', {
      args: ['--loop', '300', '--pause-us', '1000', '/tmp/bait.txt'],
      wallMs: 10_000,
    });
    paced.limits = { ...paced.limits, maxRecords: 100_000, maxSyscalls: 100_000 };
    const p = await run(paced);
    expect(p.of('limit')).toEqual([]);
    expect(p.of('submit').length + p.of('debug').length).toBe(4 * 300 + 2);
    await r.cleaned;
    await p.cleaned;
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
