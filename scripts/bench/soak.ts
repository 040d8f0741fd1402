// The clean-up soak: many runs of the reference solution through the default runner, one in ten
// losing its loader to SIGKILL halfway and one in ten cancelled halfway; afterwards nothing any
// run reported (programs, maps, links) is still in the kernel, and no cgroup of these runs is
// left. Runs go in tens, in turns: forked by the resident process and slotted into its
// dispatcher (the default path), then started from Node with a dispatcher of their own (the
// fallback).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { LoaderLine, RunResult } from '@ebpf-lab/protocol';
import {
  createDefaultDeps,
  createRunner,
  paths,
  residentDispatcherReady,
  residentSockets,
} from '@ebpf-lab/runner';
import type { RunnerDeps } from '@ebpf-lab/runner';
import { findCgroupMounts, runLoader } from '../../packages/runner/src/loader/index.ts';
import type { SoakResult } from './report.ts';
import type { BenchContext } from './section.ts';

const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

let seq = 0;
const runId = (what: string) => `bench-${what}-${++seq}`;

// --- clean-up soak ------------------------------------------------------------------------

type Kind = 'prog' | 'map' | 'link';
interface Tracked {
  lines: LoaderLine[];
  /** Asked of the resident process (else started from Node), and whether it forked it. */
  viaResident: boolean;
  forked?: boolean;
  pid?: number;
  cgroup: string;
  cleaned: Promise<void>;
}

function reportedIds(lines: LoaderLine[]): { kind: Kind; id: number }[] {
  const ids: { kind: Kind; id: number }[] = [];
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

interface BpfObject {
  id: number;
}

function bpftoolList(kind: Kind): BpfObject[] {
  const out = execFileSync('bpftool', [kind, 'show', '--json'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out || '[]') as BpfObject[];
}

export async function soak(ctx: BenchContext): Promise<SoakResult> {
  const { soakRuns: SOAK_RUNS, exerciseId: EXERCISE, solution: code } = ctx;
  const tracked = new Map<string, Tracked>();
  const defaults = createDefaultDeps({ log: () => {} });
  const deps: RunnerDeps = {
    ...defaults,
    runLoader: (config, onLine, signal) => {
      const t = [...tracked.values()].find((x) => x.cgroup === config.cgroup);
      if (!t) throw new Error(`untracked cgroup ${config.cgroup}`);
      let cleanedUp: () => void = () => {};
      t.cleaned = new Promise<void>((r) => {
        cleanedUp = r;
      });
      return runLoader(
        config,
        (line) => {
          // only what names kernel objects: a thousand runs' syscall traces would not fit
          if (line.type === 'loaded' || line.type === 'attached') t.lines.push(line);
          onLine(line);
        },
        signal,
        {
          ...(t.viaResident ? (residentSockets() ?? {}) : {}),
          onSpawn: (pid, forked) => {
            t.pid = pid;
            t.forked = forked;
          },
          onCleanedUp: () => cleanedUp(),
        },
      );
    },
  };
  const runner = createRunner(deps);
  if (!(await residentDispatcherReady())?.runSocket)
    throw new Error('the resident process did not start');
  const counts = { pass: 0, killed: 0, aborted: 0, late: 0, unexpected: 0 };
  const t0 = performance.now();
  const loadBefore = load();
  for (let i = 0; i < SOAK_RUNS; i++) {
    // one run in 10 loses its loader to SIGKILL halfway, one in 10 is cancelled halfway
    const mode = i % 10 === 3 ? 'kill' : i % 10 === 7 ? 'abort' : 'normal';
    const id = runId(`soak-${mode}`);
    const t: Tracked = {
      lines: [],
      viaResident: Math.floor(i / 10) % 2 === 0,
      cgroup: deps.cgroupFor(id),
      cleaned: Promise.resolve(),
    };
    tracked.set(id, t);
    const ac = new AbortController();
    let scenarios = 0;
    const r: RunResult = await runner.run(
      { runId: id, exerciseId: EXERCISE, code },
      (p) => {
        if (
          mode === 'normal' ||
          p.type !== 'event' ||
          p.event.kind !== 'scenario' ||
          ++scenarios !== 3
        )
          return;
        if (mode === 'abort') ac.abort();
        else if (t.pid) process.kill(t.pid, 'SIGKILL'); // the loader alone, as the OOM killer would
      },
      ac.signal,
    );
    if (mode === 'normal' && r.status === 'pass') counts.pass++;
    // the loader runs ahead of the lines read here: under load it may be detaching already
    else if (mode !== 'normal' && r.status === 'pass') counts.late++;
    else if (mode !== 'normal' && r.errorKind === 'infrastructure')
      counts[mode === 'kill' ? 'killed' : 'aborted']++;
    else {
      counts.unexpected++;
      console.log(`  run ${id} (${mode}): ${r.status} ${r.errorKind ?? ''} ${r.summary}`);
    }
    if ((i + 1) % 100 === 0) console.log(`  ${i + 1} of ${SOAK_RUNS} runs, ${load()}`);
  }
  await Promise.all([...tracked.values()].map((t) => t.cleaned));
  const seconds = (performance.now() - t0) / 1000;
  const all = [...tracked.values()];
  const forked = all.filter((t) => t.forked).length;
  const fellBack = all.filter((t) => t.viaResident && t.forked === false).length;
  console.log(
    `clean-up soak: ${forked} runs forked by the resident process, ${fellBack} of those asked of ` +
      'it started from Node instead',
  );
  console.log(
    `clean-up soak: ${SOAK_RUNS} runs in ${seconds.toFixed(0)} s (${counts.pass} passed, ${counts.killed} loaders ` +
      `SIGKILLed, ${counts.aborted} cancelled, ${counts.late} killed or cancelled after done, ` +
      `${counts.unexpected} unexpected); ${loadBefore} before, ${load()} after`,
  );

  // The kernel frees programs and maps after an RCU grace period: look twice, a second apart.
  const reported = new Map<Kind, Set<number>>([
    ['prog', new Set()],
    ['map', new Set()],
    ['link', new Set()],
  ]);
  for (const t of tracked.values())
    for (const { kind, id } of reportedIds(t.lines)) reported.get(kind)?.add(id);
  let left: Map<Kind, BpfObject[]> = new Map();
  for (let attempt = 0; attempt < 10; attempt++) {
    left = new Map(
      (['prog', 'map', 'link'] as Kind[]).map((k) => [
        k,
        bpftoolList(k).filter((o) => reported.get(k)?.has(o.id)),
      ]),
    );
    if ([...left.values()].every((l) => l.length === 0)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  let leaks = 0;
  for (const [kind, ids] of reported) {
    const still = left.get(kind) ?? [];
    leaks += still.length;
    console.log(
      `  bpftool ${kind} show: ${ids.size} ids reported by the runs, ${still.length} still there${still.length ? `: ${still.map((o) => o.id).join(', ')}` : ''}`,
    );
  }
  // Objects no run reported (a dispatcher nothing holds any more) are counted by the bench's
  // leftovers (leftovers.ts), across every section.

  const mounts = findCgroupMounts();
  const mine = `p${process.pid}-`;
  for (const root of [mounts.v2, mounts.memory, mounts.pids]) {
    if (!root) continue;
    const parent = join(root, paths.cgroupParentName);
    const names = existsSync(parent)
      ? readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory())
      : [];
    const ours = names.filter((d) => d.name.startsWith(mine));
    leaks += ours.length;
    console.log(
      `  ${parent}: ${ours.length} cgroups of these runs left${ours.length ? ` (${ours.map((d) => d.name).join(', ')})` : ''}, ` +
        `${names.length - ours.length} of other processes`,
    );
  }
  console.log(
    `clean-up soak: ${leaks === 0 && counts.unexpected === 0 ? 'CLEAN' : `${leaks} LEAKS`}`,
  );
  return {
    runs: SOAK_RUNS,
    passed: counts.pass,
    killed: counts.killed,
    cancelled: counts.aborted,
    unexpected: counts.unexpected,
    leaks,
    seconds: Math.round(seconds),
  };
}
