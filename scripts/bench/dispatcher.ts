// The loader and dispatcher comparison of `npm run bench`, run by run in turns so the machine's
// load weighs on all alike:
//   forkedRun    a whole run whose loader the resident process forked, slotted into its
//                dispatcher (the default path)
//   residentRun  the same run with a loader started from Node, slotted into the resident
//                dispatcher (the fallback when the resident process cannot fork the run)
//   perRunRun    the same run with a loader started from Node and a dispatcher of its own,
//                loaded, attached and detached for it (the fallback without a resident process)
// and for each, how long its loader went on after `done` (detaching, removing the cgroup): work
// the verdict does not wait for, but the machine's cores pay for.
import {
  createDefaultDeps,
  createRunner,
  residentDispatcherReady,
  runLoader,
} from '@ebpf-lab/runner';
import type { LoaderOptions, RunnerDeps } from '@ebpf-lab/runner';
import { showTiming, timing } from './compile.ts';
import type { Timing } from './compile.ts';

export interface DispatcherComparison {
  forkedRun: Timing;
  residentRun: Timing;
  perRunRun: Timing;
  forkedAfterDone: Timing;
  residentAfterDone: Timing;
  perRunAfterDone: Timing;
}

export async function compareDispatchers(
  exerciseId: string,
  code: string,
  rounds: number,
): Promise<DispatcherComparison> {
  const sockets = await residentDispatcherReady();
  if (!sockets?.runSocket) throw new Error('the resident process did not start');
  let afterDone: Promise<number> = Promise.resolve(0);
  let forkedLast: boolean | undefined;
  const runnerWith = (paths: Pick<LoaderOptions, 'dispatcherSocket' | 'runSocket'>) => {
    const deps: RunnerDeps = {
      ...createDefaultDeps({ log: () => {} }),
      runLoader: (config, onLine, signal) => {
        let exited: (ms: number) => void = () => {};
        afterDone = new Promise((r) => (exited = r));
        return runLoader(config, onLine, signal, {
          ...paths,
          onSpawn: (_pid, forked) => (forkedLast = forked),
          onCleanedUp: (info) => exited(info.exitedAfterDoneMs ?? Number.NaN),
        });
      },
    };
    return createRunner(deps);
  };
  const runners = {
    forked: runnerWith(sockets),
    resident: runnerWith({ dispatcherSocket: sockets.dispatcherSocket }),
    perRun: runnerWith({}),
  };
  let seq = 0;
  const once = async (which: keyof typeof runners) => {
    const t = performance.now();
    const r = await runners[which].run(
      { runId: `bench-dispatcher-${which}-${++seq}`, exerciseId, code },
      () => {},
    );
    const ms = performance.now() - t;
    if (r.status !== 'pass') throw new Error(`the ${which} run did not pass (${r.summary})`);
    // a forked run that fell back to a loader started from Node would compare nothing
    if (forkedLast !== (which === 'forked'))
      throw new Error(`the ${which} run's loader was ${forkedLast ? '' : 'not '}forked`);
    // the next run starts once this one's loader is gone, as in the other whole-run timings
    return { ms, afterDoneMs: await afterDone };
  };
  const arms = ['forked', 'resident', 'perRun'] as const;
  for (const which of arms) await once(which);
  const times = { forked: [] as number[], resident: [] as number[], perRun: [] as number[] };
  const after = { forked: [] as number[], resident: [] as number[], perRun: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const which of arms) {
      const { ms, afterDoneMs } = await once(which);
      times[which].push(ms);
      after[which].push(afterDoneMs);
    }
  }
  const result = {
    forkedRun: timing(times.forked),
    forkedAfterDone: timing(after.forked),
    residentRun: timing(times.resident),
    perRunRun: timing(times.perRun),
    residentAfterDone: timing(after.resident),
    perRunAfterDone: timing(after.perRun),
  };
  console.log(`whole run, forked by the resident:    ${showTiming(result.forkedRun)}`);
  console.log(`whole run, resident dispatcher:       ${showTiming(result.residentRun)}`);
  console.log(`whole run, a dispatcher per run:      ${showTiming(result.perRunRun)}`);
  console.log(`  loader after done, forked:          ${showTiming(result.forkedAfterDone)}`);
  console.log(`  loader after done, resident:        ${showTiming(result.residentAfterDone)}`);
  console.log(`  loader after done, per run:         ${showTiming(result.perRunAfterDone)}`);
  return result;
}
