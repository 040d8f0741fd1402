import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { timing } from './compile.ts';
import { Descendants, unheld } from './leftovers.ts';
import type { Leftovers } from './leftovers.ts';
import { summariseLoad } from './load.ts';
import type { RunRecord } from './load.ts';
import { buildReport, formatReport } from './report.ts';
import type { Machine, Measured } from './report.ts';

const none: Leftovers = { bpfPrograms: 0, bpfLinks: 0, bpfMaps: 0, cgroups: 0, processes: 0 };
const machine: Machine = {
  cpus: 2,
  cpuModel: 'test CPU',
  memoryGiB: 24,
  kernel: '6.18',
  loadAverageBefore: [1, 1, 1],
  loadAverageAfter: [2, 1, 1],
};

const runs = (ms: number[], outcome: RunRecord['outcome'] = 'pass'): RunRecord[] =>
  ms.map((m) => ({ ms: m, outcome, maxQueuePosition: 0 }));

function measured(): Partial<Measured> {
  const t = (ms: number[]) => timing(ms);
  return {
    run: { ...t([90, 95, 100, 180]), stages: { compile: t([20, 25]) }, notPassed: 0 },
    compile: t([20, 24, 30]),
    compileBaseline: t([140, 150, 160]),
    cachedRun: t([40, 45, 60]),
    uncachedRun: t([90, 100, 110]),
    concurrent1: summariseLoad(1, runs([100, 110]), 220, [1, 1, 1]),
    concurrent10: summariseLoad(10, runs([300, 400, 500]), 1000, [1, 1, 1]),
    concurrent50: summariseLoad(
      50,
      runs(Array.from({ length: 50 }, (_, i) => 100 + i * 50)),
      3000,
      [1, 1, 1],
    ),
    web: {
      interactiveMs: 1200,
      interactive: t([1100, 1200, 1300]),
      interactiveEditors: ['quick', 'monaco', 'quick'],
      monacoInteractiveMs: 2100,
      monacoInteractive: t([2000, 2100, 2300]),
      editorReadyMs: 1000,
      transferredBytes: 1_000_000,
      bundleBytes: 4_000_000,
      bundleGzipBytes: 1_300_000,
      largest: [],
      loadAverage: [1, 1, 1],
    },
    soak: { runs: 50, passed: 40, killed: 5, cancelled: 5, unexpected: 0, leaks: 0, seconds: 20 },
  };
}

describe('the bench report', () => {
  it('holds every field the issue asks for, as numbers, and survives JSON', () => {
    const report = JSON.parse(
      JSON.stringify(
        buildReport({
          quick: true,
          machine,
          measured: measured(),
          leftovers: none,
          leftoversBefore: none,
          failures: [],
        }),
      ),
    );
    for (const path of [
      'run.medianMs',
      'run.p95Ms',
      'compile.medianMs',
      'compileBaseline.medianMs',
      'cachedRun.medianMs',
      'concurrent50.runsPerSecond',
      'concurrent50.p95Ms',
      'concurrent50.refused',
      'web.interactiveMs',
      'web.monacoInteractiveMs',
      'web.editorReadyMs',
      'web.bundleGzipBytes',
      'leftovers.bpfPrograms',
      'leftovers.bpfLinks',
      'leftovers.bpfMaps',
      'leftovers.cgroups',
      'leftovers.processes',
      'leftovers.total',
    ]) {
      const value = path.split('.').reduce((o, k) => (o as Record<string, unknown>)[k], report);
      expect(typeof value, path).toBe('number');
    }
    expect(report.failures).toEqual([]);
    expect(report.machine.loadAverageBefore).toEqual([1, 1, 1]);
  });

  it('computes the numbers from what was measured', () => {
    const report = buildReport({
      quick: true,
      machine,
      measured: measured(),
      leftovers: none,
      leftoversBefore: none,
      failures: [],
    });
    expect(report.run?.medianMs).toBe(95);
    expect(report.run?.p95Ms).toBe(180);
    // 50 passed runs in 3 s
    expect(report.concurrent50?.runsPerSecond).toBeCloseTo(16.67, 2);
    expect(report.concurrent50?.p95Ms).toBe(2450);
    const met = Object.fromEntries(report.targets.map((t) => [t.name, t.met]));
    expect(met).toMatchObject({
      'run.medianMs': true,
      'run.p95Ms': false,
      'compile.medianMs': true,
      'compile / compileBaseline (median)': true,
      'cachedRun.medianMs': true,
      'concurrent50.runsPerSecond': true,
      'concurrent50.p95Ms': true,
      'web.interactiveMs': true,
      leftovers: true,
    });
  });

  it('names a section that did not run, and counts leftovers against the target', () => {
    const { web: _web, ...rest } = measured();
    const report = buildReport({
      quick: false,
      machine,
      measured: rest,
      leftovers: { ...none, cgroups: 2, processes: 1 },
      leftoversBefore: none,
      failures: ['concurrent50: the lab server exited'],
    });
    expect(report.web).toBeNull();
    expect(report.failures).toEqual(['concurrent50: the lab server exited', 'web: not measured']);
    expect(report.leftovers.total).toBe(3);
    const byName = new Map(report.targets.map((t) => [t.name, t]));
    expect(byName.get('web.interactiveMs')?.met).toBeNull();
    expect(byName.get('leftovers')?.met).toBe(false);
    expect(formatReport(report)).toContain('NOT MEASURED web.interactiveMs');
  });

  it('with --only, reports what was left out as not measured, not as a failure', () => {
    const { web } = measured();
    const report = buildReport({
      quick: false,
      machine,
      measured: { web },
      leftovers: none,
      leftoversBefore: none,
      failures: [],
      only: 'web',
    });
    expect(report.only).toBe('web');
    expect(report.failures).toEqual([]);
    expect(report.run).toBeNull();
    const byName = new Map(report.targets.map((t) => [t.name, t]));
    expect(byName.get('web.interactiveMs')?.met).toBe(true);
    expect(byName.get('run.medianMs')?.met).toBeNull();
  });

  it('says when a keystroke showed in the editor showing and when in Monaco', () => {
    const { web } = measured();
    const text = formatReport(
      buildReport({
        quick: true,
        machine,
        measured: { web },
        leftovers: none,
        leftoversBefore: none,
        failures: [],
        only: 'web',
      }),
    );
    expect(text).toContain(
      'a keystroke shown at 1200 ms in the editor showing (median of 3; quick editor twice, Monaco once)',
    );
    expect(text).toContain('in Monaco at 2100 ms (Monaco created at 1000 ms)');
  });

  it('keeps what a section adds beyond the known fields', () => {
    const report = buildReport({
      quick: true,
      machine,
      measured: { ...measured(), residentRun: { medianMs: 42 } },
      leftovers: none,
      leftoversBefore: none,
      failures: [],
    });
    expect(report.residentRun).toEqual({ medianMs: 42 });
  });
});

describe('summariseLoad', () => {
  it('counts refused and lost runs apart, and times only the answered ones', () => {
    const records: RunRecord[] = [
      ...runs([100, 200, 300]),
      { ms: 5, outcome: 'refused', maxQueuePosition: 0, message: 'The lab is busy' },
      { ms: 120_000, outcome: 'lost', maxQueuePosition: 7, message: 'no answer' },
      { ms: 250, outcome: 'fail', maxQueuePosition: 3, message: 'Not yet' },
    ];
    const s = summariseLoad(6, records, 2000, [3, 2, 1]);
    expect(s).toMatchObject({
      clients: 6,
      runs: 6,
      passed: 3,
      refused: 1,
      lost: 1,
      notPassed: 1,
      runsPerSecond: 1.5,
      maxQueuePosition: 7,
      medianMs: 200,
      n: 4,
    });
    expect(s.messages).toContain('refused: The lab is busy');
  });
});

describe('unheld BPF objects', () => {
  const loader = [{ pid: 10, comm: 'loader' }];

  it('counts what no process holds, directly or through a held link or program', () => {
    const free = unheld({
      prog: [
        { id: 1, pids: loader, map_ids: [11] },
        { id: 2, map_ids: [12] }, // attached through a held link
        { id: 3, map_ids: [13] }, // nothing holds it
      ],
      map: [{ id: 11 }, { id: 12 }, { id: 13 }, { id: 14, pids: loader }],
      link: [
        { id: 21, prog_id: 2, pids: loader },
        { id: 22, prog_id: 3 },
      ],
      perf: [],
      progArrays: new Map(),
    });
    expect([...free.prog]).toEqual([3]);
    expect([...free.map]).toEqual([13]);
    expect([...free.link]).toEqual([22]);
  });

  it('follows perf events, pins and program arrays to what they keep alive', () => {
    const free = unheld({
      prog: [
        { id: 1, map_ids: [11] }, // the dispatcher, attached through a perf event
        { id: 2, map_ids: [12] }, // tail-called from the dispatcher's program array
        { id: 3, map_ids: [] }, // in a program array nothing holds
        { id: 4, pinned: ['/sys/fs/bpf/lab/x'] },
      ],
      map: [{ id: 11, type: 'prog_array' }, { id: 12 }, { id: 13, type: 'prog_array' }],
      link: [],
      perf: [{ prog_id: 1 }],
      progArrays: new Map([
        [11, [2]],
        [13, [3]],
      ]),
    });
    expect([...free.prog]).toEqual([3]);
    expect([...free.map]).toEqual([13]);
  });
});

describe('Descendants', () => {
  it('finds a process started by this one while it lives, and not once it is gone', async () => {
    const already = spawn('sleep', ['30'], { stdio: 'ignore' });
    const watch = new Descendants(60_000);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    watch.look();
    // One already running when the bench started runs the bench itself: not the bench's doing.
    expect(watch.alive()).not.toContain(already.pid);
    already.kill();
    const exited = new Promise((r) => child.once('exit', r));
    expect(watch.alive()).toContain(child.pid);
    child.kill();
    await exited;
    expect(watch.alive()).not.toContain(child.pid);
  });
});
