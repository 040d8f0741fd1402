// Whole runs through createDefaultRunner() on this kernel, with the real
// sandboxed clang, static checks, native loader, dispatcher and grader. No mocks: the only
// stand-in is the tripwire of the over-read test, which fails the test instead of loading.
//
// Kernel safety: every program here is attached only through the dispatcher, scoped to its
// run's cgroup. The context over-read is checked statically before the runner sees it, and the
// runner then gets a loader that refuses to start, so a regression of the static check fails
// this test without anything reaching the kernel.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadExercise, loadExercises } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import { RunResult } from '@ebpf-lab/protocol';
import type { LoaderLine } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compile/index.ts';
import { createDefaultDeps, createDefaultRunner } from '../src/default-runner.ts';
import type { RunnerDeps } from '../src/deps.ts';
import { findCgroupMounts, runLoader } from '../src/loader/index.ts';
import { paths } from '../src/paths.ts';
import { runProcess, startProcess } from '../src/process.ts';
import { createRunner } from '../src/run.ts';
import { checkObject, rulesFor } from '../src/static-check/index.ts';
import type { LabRunner, RunProgress } from '../src/types.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'pipeline');
const source = (name: string) => readFileSync(join(fixtures, `${name}.bpf.c`), 'utf8');
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const EXERCISE = 'read-file-password';

let exercises: Exercise[];
let runner: LabRunner;
let seq = 0;
const runId = (what: string) => `pipeline-${process.pid}-${what}-${++seq}`;

async function mustRun(cmd: string, args: string[]): Promise<string> {
  const res = await runProcess(cmd, args, { timeoutMs: 120_000 });
  if (res.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.code}): ${res.stderr.toString()}`);
  return res.stdout.toString();
}

/** Builds a C program atomically (another run of this file may be building the same one). */
async function buildC(src: string, out: string): Promise<void> {
  mkdirSync(join(out, '..'), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await mustRun('gcc', ['-O2', '-pthread', '-o', tmp, src]);
  renameSync(tmp, out);
}

function run(
  code: string,
  what: string,
  exerciseId = EXERCISE,
  events: RunProgress[] = [],
): Promise<RunResult> {
  return runner.run({ runId: runId(what), exerciseId, code }, (p) => events.push(p));
}

const stage = (r: RunResult, name: RunResult['stages'][number]['name']) =>
  r.stages.find((s) => s.name === name);
const submittedHex = (r: RunResult) =>
  r.observations.flatMap((o) => o.submissions.map((s) => s.data)).join('');

beforeAll(async () => {
  // No BPF on this machine is a failure, never a skip.
  expect(JSON.parse(await mustRun(paths.loader, ['--probe']))).toEqual({
    ok: true,
  });
  const limitsExercise = join(fixtures, 'exercises', 'pipeline-limits');
  // The runner starts the target the set-up builds for an exercise id: build the fixture's there.
  await buildC(join(limitsExercise, 'target.c'), paths.target('pipeline-limits'));
  const floodExercise = join(fixtures, 'exercises', 'pipeline-flood');
  await buildC(join(floodExercise, 'target.c'), paths.target('pipeline-flood'));
  exercises = [
    ...loadExercises(paths.templatesDir),
    loadExercise(limitsExercise),
    loadExercise(floodExercise),
  ];
  runner = createDefaultRunner({ exercises, log: () => {} });
}, 180_000);

describe('a whole run on the kernel', () => {
  it('passes the reference solution of read-file-password, every stage ok', async () => {
    const ex = exercises.find((e) => e.meta.id === EXERCISE);
    if (!ex) throw new Error('no read-file-password exercise');
    const events: RunProgress[] = [];
    const r = await run(ex.solution, 'solution', EXERCISE, events);
    expect(RunResult.parse(r)).toBeTruthy();
    expect(r.summary).toMatch(/required checks passed/);
    expect(r.status).toBe('pass');
    expect(r.gradable).toBe(true);
    expect(r.stages.map((s) => [s.name, s.status])).toEqual(
      ['compile', 'static', 'verifier', 'attach', 'target', 'checks'].map((n) => [n, 'ok']),
    );
    expect(r.checks.filter((c) => c.required).every((c) => c.status === 'pass')).toBe(true);
    // the answer is exactly the secret planted for this run
    const planted = r.observations[0].planted.find((p) => p.path === '/tmp/password')?.hex;
    expect(planted).toBeTruthy();
    expect(r.observations[0].submissions.map((s) => s.data).join('')).toBe(planted);
    expect(events.filter((e) => e.type === 'check')).toHaveLength(r.checks.length);
    expect(r.versions.kernel).not.toBe('');
  });

  it('fails a program that submits every read, naming the failing checks', async () => {
    const r = await run(source('submit-all'), 'submit-all');
    expect(r.status).toBe('fail');
    expect(r.errorKind).toBeUndefined();
    const failed = r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    expect(failed).toEqual(
      expect.arrayContaining(['bait-around', 'kept-open', 'decoys', 'failed-open']),
    );
    expect(r.summary).toMatch(/required checks failed/);
    // what made it fail is in the observations: the bait was submitted along with the password
    expect(submittedHex(r)).toContain(hex('buy milk, call the plumber'));
    expect(r.checks.find((c) => c.id === 'bait-around')?.message).not.toBe('');
  });

  it('reports a syntax error as a compile error on its line, and stops there', async () => {
    const r = await run(source('syntax-error'), 'syntax');
    expect(r).toMatchObject({
      status: 'error',
      errorKind: 'compile',
      gradable: true,
    });
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({
        source: 'clang',
        severity: 'error',
        line: 7,
        message: expect.stringContaining("expected ';'"),
      }),
    );
    expect(stage(r, 'compile')?.status).toBe('failed');
    expect(r.stages.filter((s) => s.name !== 'compile').every((s) => s.status === 'skipped')).toBe(
      true,
    );
  });

  it('reports a missing NULL check as a verifier error, with the full log, on the dereference', async () => {
    const r = await run(source('null-check'), 'null-check');
    expect(r).toMatchObject({ status: 'error', errorKind: 'verifier' });
    const verifier = stage(r, 'verifier');
    expect(verifier?.status).toBe('failed');
    expect(verifier?.log).toMatch(/map_value_or_null/);
    expect(verifier?.log).toMatch(/processed \d+ insns/);
    expect(verifier?.log).not.toContain('<stdin>');
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({
        source: 'verifier',
        line: 19,
        code: 'verifier/null-check',
        program: 'exit_read',
      }),
    );
    expect(stage(r, 'attach')?.status).toBe('skipped');
  });

  it('refuses bpf_probe_read_kernel and bpf_send_signal before load, naming each and its line', async () => {
    const r = await run(source('forbidden-helpers'), 'helpers');
    expect(r).toMatchObject({ status: 'error', errorKind: 'static' });
    const byHelper = Object.fromEntries(
      r.diagnostics
        .filter((d) => d.code === 'static/forbidden-helper')
        .map((d) => [/calls (bpf_\w+)/.exec(d.message)?.[1], d.line]),
    );
    expect(byHelper).toEqual({
      bpf_probe_read_kernel: 10,
      bpf_send_signal: 17,
    });
    expect(stage(r, 'static')?.status).toBe('failed');
    expect(stage(r, 'verifier')?.status).toBe('skipped');
  });

  it('refuses a read past the context record before load, on its line, and never loads it', async () => {
    const ex = exercises.find((e) => e.meta.id === EXERCISE);
    if (!ex) throw new Error('no read-file-password exercise');
    const code = source('context-overread');
    // First the object alone: if the static check let it through, stop here, before any runner.
    const compiled = await compile(code);
    expect(compiled.ok).toBe(true);
    const statically = checkObject(compiled.object ?? Buffer.alloc(0), await rulesFor(ex.meta));
    expect(statically.ok).toBe(false);
    expect(statically.diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'static/context-bound',
        line: 9,
        message: expect.stringContaining('40-byte record'),
      }),
    );
    // Then the runner, whose loader is a tripwire: a regression becomes a failed test, not a load.
    const loads: string[] = [];
    const guarded = createRunner({
      ...createDefaultDeps({ exercises, log: () => {} }),
      runLoader: async (config) => {
        loads.push(config.object);
        throw new Error('the over-reading program reached the loader');
      },
    });
    const r = await guarded.run({ runId: runId('overread'), exerciseId: EXERCISE, code }, () => {});
    expect(loads).toEqual([]);
    expect(r).toMatchObject({ status: 'error', errorKind: 'static' });
    expect(stage(r, 'static')?.status).toBe('failed');
    expect(stage(r, 'verifier')?.status).toBe('skipped');
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'static/context-bound', line: 9 }),
    );
    expect(r.summary).toMatch(/Line 9/);
  });

  it('lets the kernel refuse an over-read the static checks missed, on the SEC line', async () => {
    // As if the static checks had a hole: they pass everything here, with the object's real
    // maps, so only the loader's kernel check stands between this program and the prog array.
    const code = source('kernel-overread');
    const deps = createDefaultDeps({ exercises, log: () => {} });
    const holed = createRunner({
      ...deps,
      checkObject: async (object, meta, src) => {
        const real = await deps.checkObject(object, meta, src);
        expect(real.ok).toBe(false);
        return { ...real, ok: true, diagnostics: [] };
      },
    });
    const r = await holed.run(
      { runId: runId('kernel-overread'), exerciseId: EXERCISE, code },
      () => {},
    );
    expect(r).toMatchObject({ status: 'error', errorKind: 'attach', gradable: true });
    expect(stage(r, 'verifier')?.status).toBe('ok');
    expect(stage(r, 'attach')?.status).toBe('failed');
    expect(stage(r, 'target')?.status).toBe('skipped');
    expect(r.observations).toEqual([]);
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({ source: 'attach', code: 'attach/context-too-large', line: 6 }),
    );
    expect(r.summary).toContain(
      "reads its context past the end of sys_enter_acct's 24-byte record",
    );
  });

  it('leaks nothing of /etc/shadow through #include "/etc/shadow"', async () => {
    // Root reads it; if this test cannot, it cannot prove anything: fail rather than pass.
    const shadow = readFileSync('/etc/shadow', 'utf8');
    const secrets = shadow.split('\n').filter((l) => l.trim().length > 0);
    expect(secrets.length).toBeGreaterThan(0);
    const r = await run(source('include-shadow'), 'shadow');
    expect(r).toMatchObject({ status: 'error', errorKind: 'compile' });
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ source: 'clang', line: 3 }));
    const all = JSON.stringify(r);
    for (const line of secrets)
      expect(all.includes(line), 'a line of /etc/shadow is in the result').toBe(false);
    // nor any password hash field alone
    for (const field of secrets.map((l) => l.split(':')[1] ?? '').filter((f) => f.length > 4)) {
      expect(all.includes(field)).toBe(false);
    }
  });

  it('refuses a SEC typo before load, with the diagnostic on the SEC line', async () => {
    // The exercise lists its sections, so the static check refuses the typo before the kernel
    // would (the loader's attach_error path is covered by test/loader.test.ts).
    const r = await run(source('sec-typo'), 'sec-typo');
    expect(r).toMatchObject({ status: 'error', errorKind: 'static' });
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({
        line: 4,
        message: expect.stringContaining('sys_enter_opnat'),
      }),
    );
    expect(r.summary).toMatch(/Line 4: .*sys_enter_opnat/);
    expect(stage(r, 'verifier')?.status).toBe('skipped');
  });

  it('names the wall-time limit when the target never ends', async () => {
    const ex = exercises.find((e) => e.meta.id === 'pipeline-limits');
    const t = performance.now();
    const r = await run(ex?.solution ?? '', 'wall', 'pipeline-limits');
    expect(performance.now() - t).toBeLessThan(30_000);
    expect(r.limits).toContainEqual(expect.stringMatching(/longer than 500 ms/));
    expect(r.summary).toMatch(/Limits hit: .*longer than 500 ms/);
    expect(r.observations[0].target).toMatchObject({
      timedOut: true,
      signal: 'SIGKILL',
    });
    // what the program saw before the limit still counts
    const secret = r.observations[0].planted.find((p) => p.path === '/tmp/password')?.hex;
    expect(secret).toBeTruthy();
    expect(submittedHex(r)).toContain(secret);
  });

  it('names the record limit when a program floods DEBUG lines', async () => {
    const r = await run(source('debug-flood'), 'flood', 'pipeline-limits');
    expect(r.limits).toContainEqual(expect.stringMatching(/more than 100 records/));
    const obs = r.observations[0];
    expect(obs.debug.length + obs.submissions.length).toBe(100);
    // the flood stopped the target long before its 500 ms
    expect(obs.target).toMatchObject({ timedOut: false, signal: 'SIGKILL' });
  });
});

describe('a target faster than the lab records it', () => {
  it("is the lab's error, not graded and costing no attempt, even for a right program", async () => {
    const ex = exercises.find((e) => e.meta.id === 'pipeline-flood');
    const r = await run(ex?.solution ?? '', 'lost', 'pipeline-flood');
    const obs = r.observations[0];
    expect(obs.lostEvents).toBeGreaterThan(0);
    // what was recorded and what was lost make every read: the password's, 8,000 at its end,
    // and the start-up's read of libc, each an enter and an exit
    const recorded = obs.syscalls.reduce((n, c) => n + (c.enterTs ? 1 : 0) + (c.exitTs ? 1 : 0), 0);
    expect(recorded + (obs.lostEvents ?? 0)).toBe(2 * (1 + 8000 + 1));
    expect(r).toMatchObject({
      status: 'error',
      errorKind: 'infrastructure',
      gradable: false,
      checks: [],
    });
    expect(r.summary).toContain(`The lab lost ${obs.lostEvents} of the target's traced calls`);
    expect(stage(r, 'target')?.status).toBe('failed');
    expect(stage(r, 'checks')?.status).toBe('skipped');
    // the program itself did its job: it sent the password
    const secret = obs.planted.find((p) => p.path === '/tmp/password')?.hex;
    expect(secret).toBeTruthy();
    expect(submittedHex(r)).toBe(secret);
  });
});

describe('runs apart from each other and from the host', () => {
  let loop: ReturnType<typeof startProcess> | undefined;
  const outside = `outside-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  afterAll(async () => {
    loop?.kill();
    await loop?.result;
  });

  it('lets two concurrent runs each see only their own secret, and never a reader outside', async () => {
    const reader = join(paths.buildDir, `test-pipeline-reader-${process.pid}`);
    await buildC(join(paths.loaderSourceDir, 'test', 'target.c'), reader);
    // The outside reader has its own mount namespace and /tmp: everyone else's /tmp is untouched.
    // It is opened before that mount and run through its fd: the checkout may be under /tmp.
    loop = startProcess(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'exec 3<"$2" && mount -t tmpfs tmpfs /tmp && printf %s "$1" > /tmp/password && ' +
          'exec /proc/self/fd/3 --loop 1000000000 /tmp/password',
        'sh',
        outside,
        reader,
      ],
      { timeoutMs: 300_000 },
    );
    const readerPid = loop.pid ?? -1;
    const syscr = () =>
      Number(/syscr: (\d+)/.exec(readFileSync(`/proc/${readerPid}/io`, 'utf8'))?.[1]);
    await sleep(300);
    const before = syscr();
    try {
      const code = source('submit-all');
      const [a, b] = await Promise.all([run(code, 'apart-a'), run(code, 'apart-b')]);
      // the reader really read all along
      expect(syscr()).toBeGreaterThan(before + 100);
      const secretOf = (r: RunResult) =>
        r.observations[0].planted.find((p) => p.path === '/tmp/password')?.hex ?? '';
      expect(secretOf(a)).not.toBe(secretOf(b));
      expect(submittedHex(a)).toContain(secretOf(a));
      expect(submittedHex(b)).toContain(secretOf(b));
      expect(submittedHex(a)).not.toContain(secretOf(b));
      expect(submittedHex(b)).not.toContain(secretOf(a));
      for (const r of [a, b]) {
        expect(submittedHex(r)).not.toContain(hex(outside));
        const pids = r.observations.flatMap((o) => [
          ...o.submissions.map((s) => s.pid),
          ...o.debug.map((d) => d.pid),
          ...o.syscalls.map((s) => s.pid),
        ]);
        expect(pids.length).toBeGreaterThan(0);
        expect(pids).not.toContain(readerPid);
      }
    } finally {
      loop.kill();
      await loop.result;
      loop = undefined;
      await runProcess('rm', ['-f', reader]);
    }
  });
});

describe('clean-up after runs that end, are aborted, or lose their loader', () => {
  interface Tracked {
    runId: string;
    cgroup: string;
    lines: LoaderLine[];
    cleaned: Promise<void>;
  }

  async function bpftoolShows(kind: 'prog' | 'map' | 'link', id: number): Promise<boolean> {
    const res = await runProcess('bpftool', [kind, 'show', 'id', String(id)], {
      timeoutMs: 10_000,
    });
    return res.code === 0;
  }

  function reportedIds(lines: LoaderLine[]): { kind: 'prog' | 'map' | 'link'; id: number }[] {
    const ids: { kind: 'prog' | 'map' | 'link'; id: number }[] = [];
    for (const l of lines) {
      if (l.type === 'loaded') {
        for (const p of l.programs) ids.push({ kind: 'prog', id: p.id });
        for (const m of l.maps) ids.push({ kind: 'map', id: m.id });
      } else if (l.type === 'attached') {
        for (const id of l.platform?.programs ?? []) ids.push({ kind: 'prog', id });
        for (const id of l.platform?.maps ?? []) ids.push({ kind: 'map', id });
        for (const id of l.platform?.links ?? []) ids.push({ kind: 'link', id });
      }
    }
    return ids.filter((x) => x.id > 0);
  }

  /** The network namespace of the first process in `cgroup`, as /proc names it. */
  function netnsOf(cgroup: string): string | undefined {
    try {
      const pid = readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n')[0];
      return pid ? readlinkSync(`/proc/${pid}/ns/net`) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every process whose network namespace is `netns`. */
  function processesIn(netns: string): string[] {
    return readdirSync('/proc').filter((pid) => {
      try {
        return /^\d+$/.test(pid) && readlinkSync(`/proc/${pid}/ns/net`) === netns;
      } catch {
        return false;
      }
    });
  }

  it('leaves no program, link, map, cgroup or network namespace of ~20 runs, some aborted, some with a SIGKILLed loader', async () => {
    const ex = exercises.find((e) => e.meta.id === EXERCISE);
    const found = exercises.find((e) => e.meta.id === 'pipeline-limits');
    if (!ex || !found) throw new Error('no read-file-password or pipeline-limits exercise');
    // the runs stopped halfway run in a network namespace of their own, as the network
    // chapter's do: it must go with them
    const waiting: Exercise = { ...found, meta: { ...found.meta, network: 'private' } };
    const hostNetns = readlinkSync('/proc/self/ns/net');
    const namedBefore = await runProcess('ip', ['netns', 'list'], { timeoutMs: 10_000 });
    const tracked = new Map<string, Tracked>();
    const loaderPids = new Map<string, number>();
    const netnsOfRun = new Map<string, string | undefined>();
    const defaults = createDefaultDeps({
      exercises: exercises.map((e) => (e === found ? waiting : e)),
      log: () => {},
    });
    const deps: RunnerDeps = {
      ...defaults,
      runLoader: (config, onLine, signal) => {
        const runIdOf = [...tracked.values()].find((t) => t.cgroup === config.cgroup);
        if (!runIdOf) throw new Error(`untracked cgroup ${config.cgroup}`);
        let cleanedUp: () => void = () => {};
        runIdOf.cleaned = new Promise<void>((r) => {
          cleanedUp = r;
        });
        return runLoader(
          config,
          (line) => {
            runIdOf.lines.push(line);
            onLine(line);
          },
          signal,
          {
            onSpawn: (pid) => loaderPids.set(runIdOf.runId, pid),
            onCleanedUp: () => cleanedUp(),
          },
        );
      },
    };
    const tracking = createRunner(deps);
    const results: { mode: string; result: RunResult; t: Tracked }[] = [];
    for (let i = 0; i < 20; i++) {
      const mode = i % 3 === 1 ? 'abort' : i % 3 === 2 ? 'kill' : 'normal';
      const id = runId(`cleanup-${mode}`);
      const t: Tracked = {
        runId: id,
        cgroup: deps.cgroupFor(id),
        lines: [],
        cleaned: Promise.resolve(),
      };
      tracked.set(id, t);
      const ac = new AbortController();
      // The loader runs ahead of the lines the runner has read: a killed run waits in a target
      // that never ends (500 ms wall time), so the kill lands halfway, never after `done`.
      const exercise = mode === 'normal' ? ex : waiting;
      const result = await tracking.run(
        { runId: id, exerciseId: exercise.meta.id, code: exercise.solution },
        (p) => {
          if (mode === 'normal' || p.type !== 'event' || p.event.kind !== 'scenario') return;
          setTimeout(() => {
            netnsOfRun.set(id, netnsOf(t.cgroup));
            if (mode === 'abort') ac.abort();
            const pid = loaderPids.get(id);
            // only the loader itself, as the OOM killer would: not its process group
            if (mode === 'kill' && pid) process.kill(pid, 'SIGKILL');
          }, 100);
        },
        ac.signal,
      );
      results.push({ mode, result, t });
    }
    for (const { mode, result, t } of results) {
      if (mode === 'normal') expect(result.status, result.summary).toBe('pass');
      else {
        // the platform's fault, never the student's: it costs no attempt
        expect(result).toMatchObject({
          status: 'error',
          errorKind: 'infrastructure',
          gradable: false,
        });
        expect(t.lines.some((l) => l.type === 'done')).toBe(false);
      }
      await t.cleaned;
    }
    expect(results.filter((r) => r.mode === 'kill')).toHaveLength(6);
    for (const { mode, t } of results) {
      if (mode === 'normal') continue;
      const netns = netnsOfRun.get(t.runId);
      expect(netns, `the ${mode} run's target was not found in its cgroup`).toMatch(
        /^net:\[\d+\]$/,
      );
      expect(netns).not.toBe(hostNetns);
      expect(processesIn(netns!), `processes left in ${netns}`).toEqual([]);
    }
    const namedAfter = await runProcess('ip', ['netns', 'list'], { timeoutMs: 10_000 });
    expect(namedAfter.stdout.toString()).toBe(namedBefore.stdout.toString());
    const mounts = findCgroupMounts();
    for (const { mode, t } of results) {
      const ids = reportedIds(t.lines);
      // programs, maps and the dispatcher's links were all reported before the run ended
      expect(
        ids.some((x) => x.kind === 'link'),
        `${mode} run reported no link`,
      ).toBe(true);
      for (const { kind, id } of ids) {
        let shown = true;
        // the kernel frees them after an RCU grace period
        for (let i = 0; i < 50 && shown; i++) {
          shown = await bpftoolShows(kind, id);
          if (shown) await sleep(100);
        }
        expect(shown, `${kind} ${id} of a ${mode} run still exists`).toBe(false);
      }
      expect(existsSync(t.cgroup), `${t.cgroup} still exists`).toBe(false);
      const rel = t.cgroup.slice(mounts.v2.length + 1);
      for (const root of [mounts.memory, mounts.pids])
        if (root) expect(existsSync(join(root, rel))).toBe(false);
    }
    // nothing else of this process's runs is left under ebpf-lab/ either
    for (const root of [mounts.v2, mounts.memory, mounts.pids]) {
      if (!root || !existsSync(join(root, paths.cgroupParentName))) continue;
      const mine = readdirSync(join(root, paths.cgroupParentName)).filter((n) =>
        n.startsWith(`p${process.pid}-pipeline-${process.pid}-cleanup`),
      );
      expect(mine).toEqual([]);
    }
  }, 600_000);
});
