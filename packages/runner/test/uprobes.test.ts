// Uprobes on the kernel, through createDefaultRunner(): real compiles, checks, loader and grader.
//
// A uprobe is planted in a file: one on libc's getenv is one on every process that maps libc,
// and one on a target's function is one on every process running that binary. The lab attaches
// the student's programs with the kernel's pid filter, to the run's target alone. These tests
// run processes outside the runs that make the very same calls, and assert the runs never see
// them; then that no uprobe link outlives its run, even when the loader is killed.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadExercise, loadExercises } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import type { LoaderLine, RunResult } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultDeps, createDefaultRunner } from '../src/default-runner.ts';
import type { RunnerDeps } from '../src/deps.ts';
import { runLoader } from '../src/loader/index.ts';
import { paths } from '../src/paths.ts';
import { runProcess, startProcess } from '../src/process.ts';
import type { RunningProcess } from '../src/process.ts';
import { createRunner } from '../src/run.ts';
import type { LabRunner } from '../src/types.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'pipeline');
const WAIT = 'pipeline-uprobe-wait';
let exercises: Exercise[];
let runner: LabRunner;
let seq = 0;
const runId = (what: string) => `uprobes-${process.pid}-${what}-${++seq}`;
const outsiders: RunningProcess[] = [];
const built: string[] = [];

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const res = await runProcess(cmd, args, { timeoutMs: 120_000 });
  if (res.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.code}): ${res.stderr.toString()}`);
}

const exercise = (id: string) => {
  const e = exercises.find((x) => x.meta.id === id);
  if (!e) throw new Error(`no exercise ${id}`);
  return e;
};
const run = (id: string, code: string, what: string): Promise<RunResult> =>
  runner.run({ runId: runId(what), exerciseId: id, code }, () => {});
const submitted = (r: RunResult) =>
  r.observations.flatMap((o) => o.submissions.map((s) => Buffer.from(s.data, 'hex').toString()));
const show = (r: RunResult) =>
  `${r.status} ${r.errorKind ?? ''}: ${r.summary} ${r.checks.map((c) => `${c.id}: ${c.message}`).join(' | ')}`;

/** Voluntary context switches of a process: it sleeps between its calls, so these count them. */
const switches = (pid: number) =>
  Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

beforeAll(async () => {
  const wait = join(fixtures, 'exercises', WAIT);
  mkdirSync(join(paths.target(WAIT), '..'), { recursive: true });
  await mustRun('gcc', ['-O2', '-o', paths.target(WAIT), join(wait, 'target.c')]);
  exercises = [...loadExercises(paths.templatesDir), loadExercise(wait)];
  runner = createDefaultRunner({ exercises, log: () => {} });
}, 180_000);

afterAll(async () => {
  for (const p of outsiders) {
    p.kill();
    await p.result;
  }
  for (const f of built) rmSync(f, { force: true });
});

describe('uprobes fire only for the run’s own target', () => {
  it('a uprobe on libc’s getenv never sees another process calling getenv, with the same names', async () => {
    const loop = join(paths.buildDir, `test-getenv-loop-${process.pid}`);
    built.push(loop);
    await mustRun('gcc', ['-O2', '-o', loop, join(fixtures, 'getenv-loop.c')]);
    const outsiderName = `outsider_${process.pid}`;
    // HOME and PATH are names the target looks up too: a leak would add records to the answer.
    const outsider = startProcess(loop, ['HOME', 'PATH', outsiderName], { timeoutMs: 300_000 });
    outsiders.push(outsider);
    const pid = outsider.pid ?? -1;
    await sleep(200);
    const before = switches(pid);
    const e = exercise('library-getenv');
    const results = [
      await run(e.meta.id, e.solution, 'getenv-1'),
      await run(e.meta.id, e.solution, 'getenv-2'),
    ];
    // the outsider really called getenv all along (about 5000 times a second)
    expect(switches(pid)).toBeGreaterThan(before + 100);
    for (const r of results) {
      expect(r.status, show(r)).toBe('pass');
      const names = submitted(r);
      expect(names).not.toContain(outsiderName);
      expect(names.filter((n) => n === 'HOME')).toHaveLength(1);
      expect(names.filter((n) => n === 'PATH')).toHaveLength(1);
      const pids = r.observations.flatMap((o) => o.submissions.map((s) => s.pid));
      expect(pids.length).toBeGreaterThan(0);
      expect(pids).not.toContain(pid);
    }
  }, 300_000);

  it('two runs probing getenv at once each see only their own target', async () => {
    const e = exercise('library-getenv');
    const [a, b] = await Promise.all([
      run(e.meta.id, e.solution, 'together-a'),
      run(e.meta.id, e.solution, 'together-b'),
    ]);
    for (const r of [a, b]) expect(r.status, show(r)).toBe('pass');
    const secret = (r: RunResult) =>
      /app_(.*)_config/.exec(submitted(r).find((n) => n.startsWith('app_')) ?? '')?.[1] ?? '';
    expect(secret(a)).not.toBe('');
    expect(secret(a)).not.toBe(secret(b));
    expect(submitted(a).join('\n')).not.toContain(secret(b));
    expect(submitted(b).join('\n')).not.toContain(secret(a));
  }, 300_000);

  it('a uprobe on the target’s own function never sees another process running the same binary', async () => {
    const target = paths.target('function-argument');
    const outsiderGuess = `outsider-guess-${process.pid}`;
    // When each of the outsider's calls had returned (its clock, as Date.now()'s), so the test
    // knows they happened while a run was going, not merely that the outsider was alive.
    const returned: number[] = [];
    let pending = '';
    // Its own mount namespace and /tmp (nobody else's /tmp is touched); the binary is opened
    // before that mount and run through its fd, so it is the same file the run probes.
    const outsider = startProcess(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'exec 3<"$2" && mount -t tmpfs tmpfs /tmp && echo not-this-one > /tmp/password && ' +
          'printf "%s\\n" "$1" > /tmp/guesses && ' +
          'while :; do [ "$(/proc/self/fd/3 | grep -c "lab-call check_password")" -gt 0 ] && ' +
          'date +%s%3N; done',
        'sh',
        outsiderGuess,
        target,
      ],
      {
        timeoutMs: 300_000,
        maxOutputBytes: 1 << 16,
        onStdout: (chunk) => {
          const lines = (pending + chunk.toString()).split('\n');
          pending = lines.pop() ?? '';
          for (const l of lines) if (/^\d+$/.test(l)) returned.push(Number(l));
        },
      },
    );
    outsiders.push(outsider);
    const e = exercise('function-argument');
    // On a loaded machine a run can end before the outsider calls again: runs until one overlaps
    // three of its calls (each run must keep the outsider out, overlapping or not).
    let overlapped = 0;
    for (let attempt = 0; attempt < 10 && overlapped < 3; attempt++) {
      const start = Date.now();
      const r = await run(e.meta.id, e.solution, `same-binary-${attempt}`);
      const end = Date.now();
      expect(r.status, show(r)).toBe('pass');
      expect(submitted(r)).not.toContain(outsiderGuess);
      // every call that returned before the run's end has been read once a later one is
      for (let i = 0; i < 200 && !(returned.at(-1)! > end); i++) await sleep(25);
      overlapped = returned.filter((t) => t > start && t < end).length;
    }
    expect(overlapped).toBeGreaterThanOrEqual(3);
    outsider.kill();
    await outsider.result;
  }, 300_000);
});

describe('the target’s environment', () => {
  it('is the lab’s fixed one, never the server’s: its values are what a program can read', async () => {
    const e = exercise('library-getenv');
    const v = e.variants?.find((x) => x.name === 'value-not-name');
    if (!v) throw new Error('no value-not-name variant');
    const r = await run(e.meta.id, v.code, 'environment');
    const values = submitted(r);
    expect(values).toEqual(['test', '/tmp', '/usr/local/bin:/usr/bin:/bin']);
    for (const value of Object.values(process.env))
      if (value && value.length >= 8 && value !== '/usr/local/bin:/usr/bin:/bin')
        expect(values.join('\n')).not.toContain(value);
  }, 120_000);
});

describe('uprobe links are gone after the run', () => {
  async function linkExists(id: number): Promise<boolean> {
    const res = await runProcess('bpftool', ['link', 'show', 'id', String(id)], {
      timeoutMs: 10_000,
    });
    return res.code === 0;
  }

  it.each(['normal', 'abort', 'kill'] as const)(
    'after a %s run, no uprobe link of it is left',
    async (mode) => {
      const lines: LoaderLine[] = [];
      let loaderPid = 0;
      let cleaned: () => void = () => {};
      const done = new Promise<void>((r) => {
        cleaned = r;
      });
      const deps: RunnerDeps = {
        ...createDefaultDeps({ exercises, log: () => {} }),
        runLoader: (config, onLine, signal) =>
          runLoader(
            config,
            (line) => {
              lines.push(line);
              onLine(line);
              // the uprobes are attached to the held target: stop the run now
              if (line.type === 'uprobes' && mode !== 'normal') {
                if (mode === 'kill') process.kill(loaderPid, 'SIGKILL');
                else ac.abort();
              }
            },
            signal,
            { onSpawn: (pid) => (loaderPid = pid), onCleanedUp: () => cleaned() },
          ),
      };
      const ac = new AbortController();
      const e = mode === 'normal' ? exercise('function-return') : exercise(WAIT);
      const r = await createRunner(deps).run(
        { runId: runId(`links-${mode}`), exerciseId: e.meta.id, code: e.solution },
        () => {},
        ac.signal,
      );
      await done;
      if (mode === 'normal') expect(r.status, show(r)).toBe('pass');
      else expect(r).toMatchObject({ status: 'error', errorKind: 'infrastructure' });
      const links = lines.flatMap((l) => (l.type === 'uprobes' ? l.links : []));
      // function-return: two programs in each of two scenarios; the fixture: two in one
      expect(links).toHaveLength(mode === 'normal' ? 4 : 2);
      expect(links.every((id) => id > 0)).toBe(true);
      for (const id of links) {
        let shown = true;
        for (let i = 0; i < 50 && shown; i++) {
          shown = await linkExists(id);
          if (shown) await sleep(100);
        }
        expect(shown, `uprobe link ${id} of a ${mode} run still exists`).toBe(false);
      }
    },
    120_000,
  );
});
