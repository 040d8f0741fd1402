// The dispatcher comparison of `npm run bench`, run by run in turns so the machine's load weighs
// on both alike:
//   residentRun  a whole run slotted into the resident dispatcher (the default path)
//   perRunRun    the same run with a dispatcher of the loader's own, loaded, attached and
//                detached for it (the fallback, and what every run did before)
// and for each, how long its loader went on after `done` (detaching, removing the cgroup): work
// the verdict does not wait for, but the machine's cores pay for.
import {
  createDefaultDeps,
  createRunner,
  residentDispatcherReady,
  runLoader,
} from '@ebpf-lab/runner';
import type { RunnerDeps } from '@ebpf-lab/runner';
import { showTiming, timing } from './compile.ts';
import type { Timing } from './compile.ts';

export interface DispatcherComparison {
  residentRun: Timing;
  perRunRun: Timing;
  residentAfterDone: Timing;
  perRunAfterDone: Timing;
}

export async function compareDispatchers(
  exerciseId: string,
  code: string,
  rounds: number,
): Promise<DispatcherComparison> {
  const socket = await residentDispatcherReady();
  if (!socket) throw new Error('the resident dispatcher did not start');
  let afterDone: Promise<number> = Promise.resolve(0);
  const runnerWith = (dispatcherSocket: string | undefined) => {
    const deps: RunnerDeps = {
      ...createDefaultDeps({ log: () => {} }),
      runLoader: (config, onLine, signal) => {
        let exited: (ms: number) => void = () => {};
        afterDone = new Promise((r) => (exited = r));
        return runLoader(config, onLine, signal, {
          dispatcherSocket,
          onCleanedUp: (info) => exited(info.exitedAfterDoneMs ?? Number.NaN),
        });
      },
    };
    return createRunner(deps);
  };
  const runners = { resident: runnerWith(socket), perRun: runnerWith(undefined) };
  let seq = 0;
  const once = async (which: keyof typeof runners) => {
    const t = performance.now();
    const r = await runners[which].run(
      { runId: `bench-dispatcher-${which}-${++seq}`, exerciseId, code },
      () => {},
    );
    const ms = performance.now() - t;
    if (r.status !== 'pass') throw new Error(`the ${which} run did not pass (${r.summary})`);
    // the next run starts once this one's loader is gone, as in the other whole-run timings
    return { ms, afterDoneMs: await afterDone };
  };
  await once('resident');
  await once('perRun');
  const times = { resident: [] as number[], perRun: [] as number[] };
  const after = { resident: [] as number[], perRun: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const which of ['resident', 'perRun'] as const) {
      const { ms, afterDoneMs } = await once(which);
      times[which].push(ms);
      after[which].push(afterDoneMs);
    }
  }
  const result = {
    residentRun: timing(times.resident),
    perRunRun: timing(times.perRun),
    residentAfterDone: timing(after.resident),
    perRunAfterDone: timing(after.perRun),
  };
  console.log(`whole run, resident dispatcher:       ${showTiming(result.residentRun)}`);
  console.log(`whole run, a dispatcher per run:      ${showTiming(result.perRunRun)}`);
  console.log(`  loader after done, resident:        ${showTiming(result.residentAfterDone)}`);
  console.log(`  loader after done, per run:         ${showTiming(result.perRunAfterDone)}`);
  return result;
}
