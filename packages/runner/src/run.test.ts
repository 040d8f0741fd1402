// The orchestration's logic with stand-in stages. The real pipeline against the kernel is tested
// in test/pipeline.test.ts; here we test only what the runner decides from what stages report.
import { ExerciseMeta } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { LoaderLine } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import type { RunnerDeps } from './deps.ts';
import { createRunner } from './run.ts';
import type { RunProgress } from './types.ts';

const meta = ExerciseMeta.parse({
  id: 'ex',
  chapter: 1,
  chapterTitle: 'c',
  order: 1,
  title: 't',
  summary: 's',
  sections: ['tracepoint/syscalls/sys_enter_read'],
  scenarios: [
    { id: 'basic', title: 'Basic', files: [{ path: '/tmp/password', content: '{{secret}}' }] },
  ],
  checks: [{ id: 'answer', title: 'Answer', scenario: 'basic', kind: 'answer-equals', hint: 'h' }],
});
const exercise: Exercise = { meta, dir: '/x', instructions: '', starter: '', solution: '' };

function deps(over: Partial<RunnerDeps>): RunnerDeps {
  return {
    exercises: new Map([['ex', exercise]]),
    versions: () => ({ kernel: 'k', clang: 'c', libbpf: 'l', exerciseHash: 'h' }),
    compile: async () => ({ ok: true, object: Buffer.from('obj'), diagnostics: [], log: '' }),
    checkObject: async () => ({ ok: true, diagnostics: [] }),
    runLoader: async (_c, onLine) => {
      const lines: LoaderLine[] = [
        { type: 'loaded', programs: [], maps: [] },
        { type: 'attached', hooks: [] },
        { type: 'scenario_start', scenario: 'basic' },
        {
          type: 'submit',
          scenario: 'basic',
          record: { ts: '1', pid: 1, tid: 1, kind: 'bytes', data: '61', truncated: false },
        },
        { type: 'done' },
      ];
      lines.forEach(onLine);
    },
    cgroupFor: (id) => `/tmp/cg/${id}`,
    explainVerifierLog: (log, w) => ({
      source: 'verifier',
      severity: 'error',
      line: 7,
      column: 0,
      message: `${w.program}: ${log}`,
    }),
    explainAttachError: (l) => ({
      source: 'attach',
      severity: 'error',
      line: 0,
      column: 0,
      message: l.message,
    }),
    grade: (_m, { observations }) => [
      {
        id: 'answer',
        title: 'Answer',
        required: true,
        status: observations[0].submissions.length ? 'pass' : 'fail',
        message: 'm',
      },
    ],
    ...over,
  };
}

async function run(d: RunnerDeps) {
  const progress: RunProgress[] = [];
  const result = await createRunner(d).run({ runId: 'r1', exerciseId: 'ex', code: '' }, (p) =>
    progress.push(p),
  );
  return { result, progress };
}

describe('createRunner', () => {
  it('passes when every required check passes, streaming stages, events and checks', async () => {
    const { result, progress } = await run(deps({}));
    expect(result.status).toBe('pass');
    expect(result.stages.map((s) => [s.name, s.status])).toEqual([
      ['compile', 'ok'],
      ['static', 'ok'],
      ['verifier', 'ok'],
      ['attach', 'ok'],
      ['target', 'ok'],
      ['checks', 'ok'],
    ]);
    expect(result.observations[0].submissions).toHaveLength(1);
    expect(
      progress.filter((p) => p.type === 'event').map((p) => p.type === 'event' && p.event.kind),
    ).toEqual(['scenario', 'submit']);
    expect(progress.some((p) => p.type === 'check')).toBe(true);
  });

  it('stops at a compile error, names its line and skips the later stages', async () => {
    const { result } = await run(
      deps({
        compile: async () => ({
          ok: false,
          diagnostics: [
            { source: 'clang', severity: 'error', line: 3, column: 5, message: "expected ';'" },
          ],
          log: 'student.bpf.c:3:5: error',
        }),
      }),
    );
    expect(result).toMatchObject({ status: 'error', errorKind: 'compile', gradable: true });
    expect(result.summary).toContain("Line 3: expected ';'");
    expect(result.stages.slice(1).every((s) => s.status === 'skipped')).toBe(true);
  });

  it('reports a verifier rejection with its explained diagnostic and the full log', async () => {
    const { result } = await run(
      deps({
        runLoader: async (_c, onLine) => {
          onLine({
            type: 'verifier_error',
            program: 'on_read',
            errno: 13,
            log: 'R0 invalid mem access',
          });
        },
      }),
    );
    expect(result).toMatchObject({ status: 'error', errorKind: 'verifier' });
    expect(result.stages.find((s) => s.name === 'verifier')).toMatchObject({
      status: 'failed',
      log: 'R0 invalid mem access',
    });
    expect(result.diagnostics[0].line).toBe(7);
  });

  it('says libbpf could not open the object, not that the verifier rejected a nameless program', async () => {
    const { result } = await run(
      deps({
        runLoader: async (_c, onLine) => {
          onLine({ type: 'verifier_error', program: '', errno: 2, log: 'libbpf: bad section' });
        },
        explainVerifierLog: (_log, w) => ({
          source: 'verifier',
          severity: 'error',
          line: 0,
          column: 0,
          message: `libbpf could not open your compiled object (errno ${w.errno})`,
        }),
      }),
    );
    expect(result).toMatchObject({ status: 'error', errorKind: 'verifier' });
    expect(result.summary).toBe('libbpf could not open your compiled object (errno 2).');
  });

  it('keeps the verifier statistics of a passing run, in the result and as the stage log', async () => {
    const programs = [
      {
        name: 'enter_read',
        section: 'tracepoint/syscalls/sys_enter_read',
        id: 7,
        insns: 27,
        verifiedInsns: 26,
      },
    ];
    const { result } = await run(
      deps({
        runLoader: async (_c, onLine) =>
          [
            { type: 'loaded', programs, maps: [] } as LoaderLine,
            { type: 'attached', hooks: [] } as LoaderLine,
            { type: 'scenario_start', scenario: 'basic' } as LoaderLine,
            { type: 'done' } as LoaderLine,
          ].forEach(onLine),
      }),
    );
    expect(result.verifierStats).toEqual([
      {
        program: 'enter_read',
        section: 'tracepoint/syscalls/sys_enter_read',
        insns: 27,
        verifiedInsns: 26,
      },
    ]);
    expect(result.stages.find((s) => s.name === 'verifier')).toMatchObject({
      status: 'ok',
      log: 'enter_read (tracepoint/syscalls/sys_enter_read): 27 instructions, 26 processed by the verifier',
    });
  });

  it('turns a platform failure into an infrastructure error that costs no attempt', async () => {
    const { result } = await run(
      deps({
        runLoader: async () => {
          throw new Error('spawn failed');
        },
      }),
    );
    expect(result).toMatchObject({ status: 'error', errorKind: 'infrastructure', gradable: false });
    expect(result.summary).toContain('does not count');
  });

  it("does not grade a run whose record of the target lost events: the lab's error", async () => {
    let graded = false;
    const { result, progress } = await run(
      deps({
        runLoader: async (_c, onLine) =>
          (
            [
              { type: 'loaded', programs: [], maps: [] },
              { type: 'attached', hooks: [] },
              { type: 'scenario_start', scenario: 'basic' },
              {
                type: 'submit',
                scenario: 'basic',
                record: { ts: '1', pid: 1, tid: 1, kind: 'bytes', data: '61', truncated: false },
              },
              { type: 'lost_events', scenario: 'basic', count: 2936, ringBytes: 524288 },
              { type: 'done' },
            ] as LoaderLine[]
          ).forEach(onLine),
        grade: () => {
          graded = true;
          return [];
        },
      }),
    );
    expect(graded).toBe(false);
    expect(result).toMatchObject({
      status: 'error',
      errorKind: 'infrastructure',
      gradable: false,
      checks: [],
    });
    expect(result.summary).toBe(
      "The lab lost 2936 of the target's traced calls in scenario basic (they came faster than " +
        "the lab could record them), so this run was not graded. This is not your program's " +
        'fault and the attempt does not count; run it again.',
    );
    expect(result.observations[0].lostEvents).toBe(2936);
    expect(result.stages.map((s) => [s.name, s.status])).toEqual([
      ['compile', 'ok'],
      ['static', 'ok'],
      ['verifier', 'ok'],
      ['attach', 'ok'],
      ['target', 'failed'],
      ['checks', 'skipped'],
    ]);
    expect(progress.some((p) => p.type === 'check')).toBe(false);
  });

  it("passes the checks' view of the maps to the loader, and counts a refusal of it", async () => {
    const maps = [
      { name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, flags: 0 },
    ];
    let seen: unknown;
    const { result } = await run(
      deps({
        checkObject: async () => ({ ok: true, diagnostics: [], maps }),
        runLoader: async (config, onLine) => {
          seen = config.maps;
          onLine({
            type: 'object_refused',
            message: 'map counts is hash with 4-byte keys to libbpf, but …',
          });
          onLine({ type: 'done' });
        },
      }),
    );
    expect(seen).toEqual(maps);
    expect(result).toMatchObject({ status: 'error', errorKind: 'static', gradable: true });
    expect(result.diagnostics[0]).toMatchObject({
      source: 'static',
      code: 'static/object-mismatch',
    });
    expect(result.stages.find((s) => s.name === 'verifier')?.status).toBe('failed');
  });

  it('counts a limit hit before the programs run, and one on the loader output at any time', async () => {
    for (const lines of [
      [
        {
          type: 'limit',
          name: 'map-memory',
          message: 'your maps and globals need more than 64 bytes',
        },
      ],
      [
        { type: 'loaded', programs: [], maps: [] },
        { type: 'attached', hooks: [] },
        { type: 'scenario_start', scenario: 'basic' },
        {
          type: 'limit',
          name: 'loader-output',
          message: 'your run produced more than 32 MiB of results',
        },
      ],
    ] as LoaderLine[][]) {
      const { result } = await run(
        deps({ runLoader: async (_c, onLine) => lines.forEach(onLine) }),
      );
      const limit = lines.at(-1) as Extract<LoaderLine, { type: 'limit' }>;
      expect(result).toMatchObject({ status: 'error', errorKind: 'limit', gradable: true });
      expect(result.limits).toContain(limit.message);
      expect(result.summary).toContain(limit.message);
    }
  });

  it('fails with the first failed required check named', async () => {
    const { result } = await run(
      deps({
        runLoader: async (_c, onLine) =>
          [
            { type: 'loaded', programs: [], maps: [] } as LoaderLine,
            { type: 'attached', hooks: [] } as LoaderLine,
            { type: 'scenario_start', scenario: 'basic' } as LoaderLine,
            { type: 'done' } as LoaderLine,
          ].forEach(onLine),
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('First: Answer');
  });

  it("gives the loader the object in a file of the run's own, removed after the run", async () => {
    const seen: { path: string; bytes: string; mode: number }[] = [];
    const base = deps({});
    const { result } = await run({
      ...base,
      runLoader: async (config, onLine, signal) => {
        seen.push({
          path: config.object,
          bytes: readFileSync(config.object, 'utf8'),
          mode: statSync(config.object).mode & 0o777,
        });
        return base.runLoader(config, onLine, signal);
      },
    });
    expect(result.status).toBe('pass');
    expect(seen).toEqual([
      { path: expect.stringMatching(/ebpf-lab-run-/), bytes: 'obj', mode: 0o600 },
    ]);
    expect(existsSync(seen[0].path)).toBe(false);

    // Two runs at once get two files; a loader that fails leaves none behind either.
    const paths: string[] = [];
    const failing = deps({
      runLoader: async (config) => {
        paths.push(config.object);
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('the loader broke');
      },
    });
    const both = await Promise.all([run(failing), run(failing)]);
    expect(both.map((b) => b.result.errorKind)).toEqual(['infrastructure', 'infrastructure']);
    expect(new Set(paths).size).toBe(2);
    for (const path of paths) expect(existsSync(path)).toBe(false);
  });
});
