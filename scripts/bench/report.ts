// The bench's report: what each section measured, put together with the machine it ran on, the
// targets each number is held against, and what the bench left behind. `--json` prints it alone
// on stdout; the table below is what a person reads on stderr.
import type { Timing } from './compile.ts';
import type { Leftovers } from './leftovers.ts';
import { totalLeftovers } from './leftovers.ts';
import type { LoadResult } from './load.ts';
import type { WebResult } from './web.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  /** 1, 5 and 15 minute load averages when the bench started and when it ended. */
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface WholeRuns extends Timing {
  /** Each stage of the same runs. */
  stages: Record<string, Timing>;
  /** Timed runs that did not pass. */
  notPassed: number;
}

export interface SoakResult {
  runs: number;
  passed: number;
  killed: number;
  cancelled: number;
  unexpected: number;
  leaks: number;
  seconds: number;
}

/** What the sections measure; a section fills in its part. */
export interface Measured {
  run: WholeRuns;
  compile: Timing;
  compileBaseline: Timing;
  cachedRun: Timing;
  uncachedRun: Timing;
  concurrent1: LoadResult;
  concurrent10: LoadResult;
  concurrent50: LoadResult;
  web: WebResult;
  soak: SoakResult;
}

export interface Target {
  name: string;
  value: number | null;
  /** `<=` the limit, or `>=` it. */
  limit: number;
  unit: string;
  holds: 'at most' | 'at least';
  /** null: not measured in this run. */
  met: boolean | null;
}

export type BenchReport = { [K in keyof Measured]: Measured[K] | null } & {
  quick: boolean;
  /** `--only`'s text: the other sections were left out on purpose. Null for the whole bench. */
  only: string | null;
  machine: Machine;
  leftovers: Leftovers & { total: number; before: Leftovers };
  targets: Target[];
  /** Sections that could not run or failed, with why. A missed target is not a failure. */
  failures: string[];
  /** What sections added beyond the fields above, kept as they gave it. */
  [extra: string]: unknown;
};

const MEASURED: (keyof Measured)[] = [
  'run',
  'compile',
  'compileBaseline',
  'cachedRun',
  'uncachedRun',
  'concurrent1',
  'concurrent10',
  'concurrent50',
  'web',
  'soak',
];

function target(
  name: string,
  value: number | undefined,
  holds: Target['holds'],
  limit: number,
  unit: string,
): Target {
  const v = value ?? null;
  return {
    name,
    value: v,
    limit,
    unit,
    holds,
    met: v === null ? null : holds === 'at most' ? v <= limit : v >= limit,
  };
}

/** The targets of the issue that asked for this bench, on this machine. */
export function targetsOf(m: Partial<Measured>, leftovers: number): Target[] {
  const c50 = m.concurrent50;
  return [
    target('run.medianMs', m.run?.medianMs, 'at most', 100, 'ms'),
    target('run.p95Ms', m.run?.p95Ms, 'at most', 150, 'ms'),
    target('compile.medianMs', m.compile?.medianMs, 'at most', 30, 'ms'),
    target(
      'compile / compileBaseline (median)',
      m.compile && m.compileBaseline
        ? Math.round((m.compile.medianMs / m.compileBaseline.medianMs) * 100) / 100
        : undefined,
      'at most',
      0.2,
      '',
    ),
    target('cachedRun.medianMs', m.cachedRun?.medianMs, 'at most', 50, 'ms'),
    target('concurrent50.refused + lost', c50 && c50.refused + c50.lost, 'at most', 0, ''),
    target('concurrent50.runsPerSecond', c50?.runsPerSecond, 'at least', 15, 'runs/s'),
    target('concurrent50.p95Ms', c50?.p95Ms, 'at most', 3000, 'ms'),
    target('web.interactiveMs', m.web?.interactiveMs, 'at most', 1500, 'ms'),
    target('web.bundleGzipBytes', m.web?.bundleGzipBytes, 'at most', 2 * 1024 * 1024, 'bytes'),
    target('leftovers', leftovers, 'at most', 0, ''),
  ];
}

/** "quick editor 3 times", "Monaco once, quick editor twice": which editor took the keystroke. */
function editorsSeen(editors: string[]): string {
  const names: Record<string, string> = { quick: 'quick editor', monaco: 'Monaco' };
  const counts = new Map<string, number>();
  for (const e of editors) counts.set(e, (counts.get(e) ?? 0) + 1);
  const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);
  return [...counts].map(([e, n]) => `${names[e] ?? e} ${times(n)}`).join(', ');
}

export function buildReport(input: {
  quick: boolean;
  machine: Machine;
  measured: Partial<Measured> & Record<string, unknown>;
  leftovers: Leftovers;
  leftoversBefore: Leftovers;
  failures: string[];
  /** `--only`: what was left out is not missing. */
  only?: string;
}): BenchReport {
  const { measured } = input;
  const total = totalLeftovers(input.leftovers);
  const failures = [...input.failures];
  for (const key of MEASURED)
    if (
      input.only === undefined &&
      !measured[key] &&
      !failures.some((f) => f.startsWith(`${key}:`))
    )
      failures.push(`${key}: not measured`);
  const known = Object.fromEntries(MEASURED.map((k) => [k, measured[k] ?? null])) as {
    [K in keyof Measured]: Measured[K] | null;
  };
  return {
    ...measured,
    ...known,
    quick: input.quick,
    only: input.only ?? null,
    machine: input.machine,
    leftovers: { ...input.leftovers, total, before: input.leftoversBefore },
    targets: targetsOf(measured, total),
    failures,
  };
}

const fmt = (v: number | null | undefined, unit = 'ms') =>
  v === null || v === undefined ? '–' : `${v}${unit ? ` ${unit}` : ''}`;

/** The side-by-side table a person reads; the same numbers as the JSON. */
export function formatReport(r: BenchReport): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const lines = [
    `machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Linux ${r.machine.kernel}`,
    `load average: ${load(r.machine.loadAverageBefore)} at the start, ${load(r.machine.loadAverageAfter)} at the end`,
    '',
    'optimisation                      | with it                   | baseline',
    '----------------------------------|---------------------------|---------------------------',
    `compile (server vs one clang)     | ${fmt(r.compile?.medianMs)} median, p95 ${fmt(r.compile?.p95Ms)} | ${fmt(r.compileBaseline?.medianMs)} median, p95 ${fmt(r.compileBaseline?.p95Ms)}`,
    `whole run (cached vs compiled)    | ${fmt(r.cachedRun?.medianMs)} median, p95 ${fmt(r.cachedRun?.p95Ms)} | ${fmt(r.uncachedRun?.medianMs)} median, p95 ${fmt(r.uncachedRun?.p95Ms)}`,
    '',
    `whole run of the reference solution: ${fmt(r.run?.medianMs)} median, p95 ${fmt(r.run?.p95Ms)}` +
      (r.run
        ? ` (${Object.entries(r.run.stages)
            .map(([s, t]) => `${s} ${t.medianMs}`)
            .join(', ')})`
        : ''),
    '',
    'clients | runs | passed | refused | lost | runs/s | median    | p95       | longest queue | load',
  ];
  for (const c of [r.concurrent1, r.concurrent10, r.concurrent50]) {
    if (!c) continue;
    lines.push(
      `${String(c.clients).padStart(7)} | ${String(c.runs).padStart(4)} | ${String(c.passed).padStart(6)} | ${String(c.refused).padStart(7)} | ${String(c.lost).padStart(4)} | ${String(c.runsPerSecond).padStart(6)} | ${fmt(c.medianMs).padStart(9)} | ${fmt(c.p95Ms).padStart(9)} | ${String(c.maxQueuePosition).padStart(13)} | ${load(c.loadAverage)}`,
    );
  }
  lines.push('');
  if (r.web)
    lines.push(
      `first load: a keystroke shown at ${r.web.interactiveMs} ms in the editor showing (median of ${r.web.interactive.n}; ${editorsSeen(r.web.interactiveEditors)}), ` +
        `in Monaco at ${r.web.monacoInteractiveMs} ms (Monaco created at ${r.web.editorReadyMs} ms); ` +
        `bundle ${(r.web.bundleGzipBytes / 1024).toFixed(0)} KiB gzipped (${(r.web.bundleBytes / 1024).toFixed(0)} KiB), ` +
        `${(r.web.transferredBytes / 1024).toFixed(0)} KiB transferred; load ${load(r.web.loadAverage)}`,
    );
  const l = r.leftovers;
  lines.push(
    `leftovers: ${l.total} (BPF programs ${l.bpfPrograms}, links ${l.bpfLinks}, maps ${l.bpfMaps}, cgroups ${l.cgroups}, processes ${l.processes})`,
  );
  lines.push('', 'targets:');
  for (const t of r.targets)
    lines.push(
      `  ${t.met === null ? 'NOT MEASURED' : t.met ? 'MET ' : 'MISSED'} ${t.name}: ${fmt(t.value, t.unit)} (${t.holds} ${t.limit}${t.unit ? ` ${t.unit}` : ''})`,
    );
  if (r.failures.length) lines.push('', 'failures:', ...r.failures.map((f) => `  ${f}`));
  return lines.join('\n');
}
