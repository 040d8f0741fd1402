// The adversarial corpus: hostile files, each with its expected outcome on its first line, run
// through the real runner (the real sandboxed clang and the real static checks of the flagship
// exercise).
//
//   // expect: refused-static <code>   refused before load, with a diagnostic of that code
//                                      (`compile`: refused by the compiler in its sandbox)
//   // expect: student-limit <limit>   a limit the student hit, named (counts as an attempt)
//   // expect: refused-kernel <prog>   reads past its record in a way the static checks refuse;
//                                      with them bypassed, the kernel refuses <prog> at the
//                                      loader's check, before the prog array
//   // expect: harmless                accepted by the checks, then loaded and graded for real
//
// Every file is first checked only, with a loader that fails the test if it is ever reached.
// Two kinds then reach the kernel:
// - `refused-kernel` files, through the real loader with the static checks bypassed. They read
//   past their record, and tail-called that oopses this kernel for everyone, so each may only
//   use a tracepoint that never fires here (process accounting, which nothing on this machine
//   calls), and the loader is reached only through a gate that reads the object's sections
//   first and fails the test for any other.
// - `harmless` files, through the real runner (the dispatcher keeps them to the run's target).
// Afterwards nothing of these runs may be left in the kernel, and dmesg may have no new BPF
// warning.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderLine, RunResult } from '@ebpf-lab/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDefaultDeps } from '../src/default-runner.ts';
import type { RunnerDeps } from '../src/deps.ts';
import { runLoader } from '../src/loader/index.ts';
import { runProcess } from '../src/process.ts';
import { createRunner, CHECK_ONLY_SUMMARY } from '../src/run.ts';
import { parseElf, SHF_EXECINSTR } from '../src/static-check/elf.ts';
import { recordSize, tracepointOf } from '../src/static-check/index.ts';

const dir = join(import.meta.dirname, 'adversarial');
const EXERCISE = 'read-file-password';

/** Tracepoints nothing on this machine fires: the only ones an over-reader may be loaded for. */
const NEVER_FIRING = ['syscalls/sys_enter_acct', 'syscalls/sys_exit_acct'];

type Outcome = 'refused-static' | 'student-limit' | 'refused-kernel' | 'harmless';

interface Case {
  file: string;
  source: string;
  outcome: Outcome;
  what: string;
}

function cases(): Case[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort()
    .map((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      const m =
        /^\/\/ expect: (refused-static|student-limit|refused-kernel|harmless)(?: (\S+))?\n/.exec(
          source,
        );
      if (!m) throw new Error(`${file}: the first line must be "// expect: <outcome> [<what>]"`);
      return { file, source, outcome: m[1] as Outcome, what: m[2] ?? '' };
    });
}

const all = cases();
let checkOnlyLoads = 0;
const checkOnly = createRunner({
  ...createDefaultDeps(),
  runLoader: async () => {
    checkOnlyLoads += 1;
    throw new Error('check-only reached the loader');
  },
});

/** Strings that would show a kernel or host address or path in what the student sees. */
const HOST = [/\/work\//, /\/build\/include/, /0xffff[0-9a-f]{8,}/i];

function explain(r: RunResult): string {
  return `${r.status} ${r.errorKind ?? ''}: ${r.diagnostics.map((d) => `[${d.code ?? d.source}] line ${d.line}: ${d.message}`).join(' | ')}`;
}

const stage = (r: RunResult, name: RunResult['stages'][number]['name']) =>
  r.stages.find((s) => s.name === name);

// What the kernel runs reported, so that the end can show each id is gone.
const reported: { kind: 'prog' | 'map' | 'link'; id: number; file: string }[] = [];
const cleanups: Promise<void>[] = [];

function track(file: string, line: LoaderLine): void {
  const add = (kind: 'prog' | 'map' | 'link', id: number) => {
    if (id > 0) reported.push({ kind, id, file });
  };
  if (line.type === 'loaded') {
    for (const p of line.programs) add('prog', p.id);
    for (const m of line.maps) add('map', m.id);
  } else if (line.type === 'attached') {
    for (const id of line.platform?.programs ?? []) add('prog', id);
    for (const id of line.platform?.maps ?? []) add('map', id);
    for (const id of line.platform?.links ?? []) add('link', id);
  }
}

/** The real loader, reporting what it loaded to `track`, for the file being run. */
function trackedLoader(file: string, gate?: (object: string) => void): RunnerDeps['runLoader'] {
  return (config, onLine, signal) => {
    gate?.(config.object);
    let cleaned: () => void = () => {};
    cleanups.push(new Promise<void>((resolve) => (cleaned = resolve)));
    return runLoader(
      config,
      (line) => {
        track(file, line);
        onLine(line);
      },
      signal,
      { onCleanedUp: () => cleaned() },
    );
  };
}

/** Throws, before the loader starts, unless every program is on a never-firing tracepoint. */
function neverFiringOnly(object: string): void {
  const programs = parseElf(readFileSync(object)).sections.filter(
    (sec) => (sec.flags & BigInt(SHF_EXECINSTR)) !== 0n && sec.size > 0 && sec.name !== '.text',
  );
  if (programs.length === 0) throw new Error(`${object}: no programs seen; not loading it`);
  for (const sec of programs) {
    if (!NEVER_FIRING.includes(tracepointOf(sec.name) ?? ''))
      throw new Error(`a program is in ${sec.name}, a tracepoint that may fire: not loading it`);
  }
}

interface Kmsg {
  at: number;
  text: string;
}

async function kernelLog(): Promise<Kmsg[]> {
  const res = await runProcess('dmesg', [], { timeoutMs: 10_000 });
  expect(res.code, res.stderr.toString()).toBe(0);
  return res.stdout
    .toString()
    .split('\n')
    .map((text) => ({ at: Number(/^\[\s*(\d+\.\d+)\]/.exec(text)?.[1] ?? NaN), text }))
    .filter((l) => !Number.isNaN(l.at));
}

/**
 * A kernel warning about BPF (a BPF function or file in a trace, a `BPF` message), or any oops or
 * warning at all. Not `bpf` alone: other work's OOM reports name `ebpf-lab` cgroups and
 * `student.bpf.c` compiler processes, which are no BPF trouble.
 */
const KERNEL_TROUBLE =
  /\bbpf_|\/bpf\/|\bBPF\b|BUG:|Oops|WARNING:|general protection fault|Kernel panic/;

let dmesgBefore = 0;

beforeAll(async () => {
  // The gate's premise, on this machine: each hook exists with the record the files expect.
  for (const hook of NEVER_FIRING) {
    const format = readFileSync(`/sys/kernel/tracing/events/${hook}/format`, 'utf8');
    expect(recordSize(format), hook).toBe(24);
  }
  const log = await kernelLog();
  dmesgBefore = log.at(-1)?.at ?? 0;
});

describe('the adversarial corpus', () => {
  it('holds at least 60 files, each with an expected outcome, and six the kernel refuses', () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    const outcomes = new Set(all.map((c) => c.outcome));
    expect([...outcomes].sort()).toEqual([
      'harmless',
      'refused-kernel',
      'refused-static',
      'student-limit',
    ]);
    expect(all.filter((c) => c.outcome === 'refused-kernel').length).toBeGreaterThanOrEqual(6);
  });

  for (const c of all) {
    it(`${c.file}: ${c.outcome}${c.what ? ` ${c.what}` : ''}`, { timeout: 120_000 }, async () => {
      const checked = await checkOnly.run(
        { runId: `adversarial-${c.file}`, exerciseId: EXERCISE, code: c.source, checkOnly: true },
        () => {},
      );
      const why = explain(checked);
      expect(checked.errorKind, why).not.toBe('infrastructure');
      expect(checked.gradable).toBe(true);
      const seen = JSON.stringify(checked);
      for (const re of HOST) expect(seen, why).not.toMatch(re);
      switch (c.outcome) {
        case 'harmless': {
          expect(checked.status, why).toBe('pass');
          expect(checked.summary).toBe(CHECK_ONLY_SUMMARY);
          expect(stage(checked, 'verifier')?.status).toBe('skipped');
          // then for real, scoped to the run's target by the dispatcher
          const real = createRunner({ ...createDefaultDeps(), runLoader: trackedLoader(c.file) });
          const r = await real.run(
            {
              runId: `adversarial-real-${process.pid}-${c.file}`,
              exerciseId: EXERCISE,
              code: c.source,
            },
            () => {},
          );
          const ran = explain(r);
          expect(r.errorKind, ran).not.toBe('infrastructure');
          expect(r.gradable, ran).toBe(true);
          for (const re of HOST) expect(JSON.stringify(r), ran).not.toMatch(re);
          if (c.what) {
            // the verifier's refusal, the student's error: it counts
            expect(r, ran).toMatchObject({ status: 'error', errorKind: 'verifier' });
            expect(r.diagnostics.map((d) => d.code)).toContain(c.what);
            break;
          }
          // loaded, attached, run for each scenario and graded (pass or fail is the grader's)
          expect(['pass', 'fail'], ran).toContain(r.status);
          for (const name of ['verifier', 'attach', 'target'] as const)
            expect(stage(r, name)?.status, `${name}: ${ran}`).toBe('ok');
          expect(['ok', 'failed']).toContain(stage(r, 'checks')?.status);
          expect(r.checks.length).toBeGreaterThan(0);
          expect(r.observations.length).toBeGreaterThan(0);
          break;
        }
        case 'student-limit':
          expect(checked.status, why).toBe('error');
          expect(checked.errorKind, why).toBe('limit');
          expect(checked.limits.join(' '), why).toContain(c.what);
          break;
        case 'refused-static': {
          expect(checked.status, why).toBe('error');
          if (c.what === 'compile') {
            expect(checked.errorKind, why).toBe('compile');
            break;
          }
          expect(checked.errorKind, why).toBe('static');
          const refusal = checked.diagnostics.find(
            (d) => d.severity === 'error' && d.code === c.what,
          );
          expect(refusal, why).toBeDefined();
          // Said in plain words, on the student's line when the object knows it.
          expect(refusal?.message.length).toBeGreaterThan(20);
          break;
        }
        case 'refused-kernel': {
          // Refused here for its section already; with the section allowed, the static
          // checks still refuse it, for the over-read itself (seen in the holed run below).
          expect(checked.status, why).toBe('error');
          expect(checked.errorKind, why).toBe('static');
          const staticCodes: string[] = [];
          // Then as if they had a hole: only the loader's kernel check stands in the way.
          const deps = createDefaultDeps();
          const holed = createRunner({
            ...deps,
            checkObject: async (object, meta, src) => {
              const sections = [...meta.sections, ...NEVER_FIRING.map((h) => `tp/${h}`)];
              const real = await deps.checkObject(object, { ...meta, sections }, src);
              staticCodes.push(...real.diagnostics.map((d) => d.code ?? ''));
              return { ...real, ok: true, diagnostics: [] };
            },
            runLoader: trackedLoader(c.file, neverFiringOnly),
          });
          const r = await holed.run(
            {
              runId: `adversarial-kernel-${process.pid}-${c.file}`,
              exerciseId: EXERCISE,
              code: c.source,
            },
            () => {},
          );
          const refused = explain(r);
          // (context-flow: a read it cannot bound, refused as surely as one it can)
          expect(
            staticCodes.filter((code) => /^static\/context-(bound|flow)$/.test(code)),
            refused,
          ).not.toEqual([]);
          expect(r, refused).toMatchObject({
            status: 'error',
            errorKind: 'attach',
            gradable: true,
          });
          expect(stage(r, 'verifier')?.status, refused).toBe('ok');
          expect(stage(r, 'attach')?.status, refused).toBe('failed');
          // never in the prog array, never run for a target
          expect(stage(r, 'target')?.status, refused).toBe('skipped');
          expect(r.observations).toEqual([]);
          expect(r.diagnostics, refused).toContainEqual(
            expect.objectContaining({
              source: 'attach',
              code: 'attach/context-too-large',
              program: c.what,
            }),
          );
          expect(r.summary, refused).toContain(
            `the kernel refused ${c.what}: it reads its context past the end`,
          );
          break;
        }
      }
    });
  }

  it('never reached the loader when checking only', () => {
    expect(checkOnlyLoads).toBe(0);
  });

  it(
    'leaves nothing of its kernel runs behind, and dmesg no new BPF warning',
    { timeout: 120_000 },
    async () => {
      await Promise.all(cleanups);
      // Every program, map and link the kernel runs reported is gone (freed after an RCU grace
      // period: poll briefly)
      // (the refused programs, and the harmless runs' programs, maps and dispatcher links; a
      // program the verifier refuses has no id)
      const kernelRuns = all.filter(
        (c) => c.outcome === 'refused-kernel' || (c.outcome === 'harmless' && !c.what),
      );
      expect(new Set(reported.map((x) => x.file)).size).toBe(kernelRuns.length);
      expect(reported.some((x) => x.kind === 'link')).toBe(true);
      for (const { kind, id, file } of reported) {
        let shown = true;
        for (let i = 0; i < 50 && shown; i++) {
          shown =
            (await runProcess('bpftool', [kind, 'show', 'id', String(id)], { timeoutMs: 10_000 }))
              .code === 0;
          if (shown) await sleep(100);
        }
        expect(shown, `${kind} ${id} of ${file} still exists`).toBe(false);
      }
      // Nor does this process (the runner) hold any program or link: bpftool names each holder.
      for (const kind of ['prog', 'link'] as const) {
        const res = await runProcess('bpftool', [kind, 'show', '--json'], { timeoutMs: 10_000 });
        expect(res.code).toBe(0);
        const held = (
          JSON.parse(res.stdout.toString()) as { id: number; pids?: { pid: number }[] }[]
        ).filter((x) => x.pids?.some((p) => p.pid === process.pid));
        expect(held, `${kind}s still held by this process`).toEqual([]);
      }
      const trouble = (await kernelLog()).filter(
        (l) => l.at > dmesgBefore && KERNEL_TROUBLE.test(l.text),
      );
      expect(trouble.map((l) => l.text)).toEqual([]);
    },
  );
});
