// Kernel tests of the native loader and its driver: real programs loaded on this kernel, real
// targets, no mocks. Fixtures (native/loader/test/) are built here with clang and gcc so
// the test does not depend on the compile sandbox. Nothing is attached except through the
// dispatcher, scoped to each run's own cgroup.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoaderConfig } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { pairSyscalls } from '../src/observations.ts';
import { paths } from '../src/paths.ts';
import { runProcess } from '../src/process.ts';
import { checkObject } from '../src/static-check/index.ts';
import {
  setUpLoaderTests,
  work,
  target,
  untouchedTarget,
  inspectTarget,
  objects,
  OBSERVE,
  hex,
  checkedMaps,
  config,
  run,
  mapNamed,
  expectGone,
} from './loader-harness.ts';

setUpLoaderTests();

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

  it('never sees the files of any scenario being planted', async () => {
    const secrets = ['first-planted-secret', 'second-planted-secret', 'third-planted-secret'];
    const cfg = config(objects['every-write'], secrets[0]);
    const [first] = cfg.scenarios;
    cfg.scenarios = secrets.map((secret, i) => ({
      ...first,
      id: `scenario-${i}`,
      files: first.files.map((f) => (f.path === '/tmp/password' ? { ...f, hex: hex(secret) } : f)),
    }));
    const r = await run(cfg);
    expect(r.of('fatal')).toEqual([]);
    expect(r.of('scenario_start').map((s) => s.scenario)).toEqual([
      'scenario-0',
      'scenario-1',
      'scenario-2',
    ]);
    // each target wrote nothing but its count, and nothing else was seen writing
    const writes = r.of('submit').map((s) => ({
      scenario: s.scenario,
      text: Buffer.from(s.record.data, 'hex').toString('latin1'),
    }));
    expect(writes).toEqual(
      cfg.scenarios.map((s) => ({
        scenario: s.id,
        text: expect.stringMatching(/^read \d+ bytes\n$/),
      })),
    );
    for (const exit of r.of('target_exit')) expect(exit.exit.code).toBe(0);
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it("starts each target with nothing of the loader's: fds, signals, environment, files", async () => {
    // The child shares the loader's memory until its exec (CLONE_VM | CLONE_VFORK) and blocks
    // every signal meanwhile; the target must still get a clean start, and only its scenario's
    // files.
    const cfg = config(objects['submit-all'], 'inspected');
    const [first] = cfg.scenarios;
    const file = (name: string) => ({ path: `/tmp/${name}`, hex: hex(name), mode: 0o644 });
    cfg.scenarios = [
      {
        ...first,
        id: 'one',
        target: inspectTarget,
        args: [],
        files: [file('one-a'), file('one-b')],
      },
      { ...first, id: 'two', target: inspectTarget, args: [], files: [file('two')] },
    ];
    const r = await run(cfg);
    expect(r.of('fatal')).toEqual([]);
    const started = (tmp: string) =>
      [
        'fds: 0 1 2',
        'SigBlk:\t0000000000000000',
        'SigIgn:\t0000000000000000',
        'SigCgt:\t0000000000000000',
        'env: PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp LANG=C.UTF-8',
        'cwd: /tmp',
        `tmp: ${tmp}`,
        '',
      ].join('\n');
    expect(r.of('target_exit').map((t) => [t.scenario, t.exit.code, t.exit.stdout])).toEqual([
      ['one', 0, started('one-a one-b')],
      ['two', 0, started('two')],
    ]);
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it("never shows the programs any of a target's set-up", async () => {
    // The set-up's calls (namespace, mounts, planting, redirections, cwd) are all made before
    // the child joins the run's cgroups.
    const cfg = config(objects['setup-watch'], 'set-up-secret');
    const [first] = cfg.scenarios;
    cfg.scenarios = ['a', 'b', 'c'].map((id) => ({
      ...first,
      id,
      args: ['--loop', '200', ...first.args],
    }));
    const r = await run(cfg);
    expect(r.of('fatal')).toEqual([]);
    expect(r.of('scenario_start').map((s) => s.scenario)).toEqual(['a', 'b', 'c']);
    for (const exit of r.of('target_exit')) expect(exit.exit.code).toBe(0);
    // 7 is a read of the target's: the programs ran; any other number is set-up they saw
    const numbers = r.of('submit').map((s) => ({
      scenario: s.scenario,
      n: s.record.kind === 'num' ? s.record.data : `${s.record.kind} ${s.record.data}`,
    }));
    for (const id of ['a', 'b', 'c'])
      expect(numbers.filter((s) => s.scenario === id).length).toBeGreaterThan(0);
    expect(numbers.filter((s) => s.n !== '7')).toEqual([]);
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
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

  it('refuses an over-read beside a program the kernel accepted on the same hook', async () => {
    // Both programs are offered to the one perf event the check holds for sys_enter_acct (which
    // never fires here): the first one's consent must not carry over to the second.
    const cfg = config(objects['overread-beside'], 'x');
    const r = await run(cfg);
    expect(r.of('loaded')).toHaveLength(1);
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
    await r.cleaned;
    await expectGone(r, cfg.cgroup);
  });

  it('runs no program during the kernel check, on a hook that fires all the time', async () => {
    // on_close is checked on sys_enter_close, which the loader's own close() fires again and
    // again: were it attached there for the check, it would count and submit those closes.
    const cfg = config(objects['check-window'], 'window-secret');
    cfg.observe = [...OBSERVE, 'syscalls/sys_enter_close'];
    let loaderPid = -1;
    const r = await run(cfg, undefined, undefined, (pid) => {
      loaderPid = pid;
    });
    expect(r.of('fatal')).toEqual([]);
    expect(loaderPid).toBeGreaterThan(0);
    expect(r.of('attached')[0].kernelCheck?.programs).toBe(1);
    expect(r.of('attached')[0].kernelCheck?.discardedRecords).toBe(0);

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
});
