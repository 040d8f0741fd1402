// The compile comparisons of `npm run bench`, each against its baseline in the same run and
// interleaved, so that the machine's load weighs on both alike:
//   compile          a compile server worker (the default path)
//   compileBaseline  one clang process per compile, in the same sandbox (the fallback)
//   cachedRun        a whole run of an unchanged resubmission, its compile answered by the cache
//   uncachedRun      the same whole run with the cache emptied before each run
import {
  clearCompileCache,
  compile,
  compileServerReady,
  createDefaultRunner,
} from '@ebpf-lab/runner';

export interface Timing {
  medianMs: number;
  p95Ms: number;
  minMs: number;
  n: number;
}

export function timing(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(f * s.length) - 1))];
  const round = (x: number) => Math.round(x * 10) / 10;
  return { medianMs: round(q(0.5)), p95Ms: round(q(0.95)), minMs: round(s[0]), n: s.length };
}

/** A timing as the bench prints it. */
export const showTiming = (t: Timing) =>
  `median ${t.medianMs} ms, p95 ${t.p95Ms} ms, min ${t.minMs} ms (n=${t.n})`;

async function timed(run: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await run();
  return performance.now() - t;
}

/** Server vs plain clang on one source, interleaved round by round. */
export async function compareCompiles(
  source: string,
  rounds: number,
): Promise<{ compile: Timing; compileBaseline: Timing }> {
  if (!(await compileServerReady())) throw new Error('the compile server did not start');
  const once = async (via: 'server' | 'clang') => {
    const r = await compile(source, { via, cache: false });
    if (!r.ok || r.via !== via)
      throw new Error(`the ${via} compile failed: ${r.log.slice(0, 300)}`);
  };
  await once('server');
  await once('clang');
  const server: number[] = [];
  const clang: number[] = [];
  for (let i = 0; i < rounds; i++) {
    server.push(await timed(() => once('server')));
    clang.push(await timed(() => once('clang')));
  }
  const result = { compile: timing(server), compileBaseline: timing(clang) };
  console.log(`compile, server worker:        ${showTiming(result.compile)}`);
  console.log(`compile, one clang per compile: ${showTiming(result.compileBaseline)}`);
  const ratio = result.compile.medianMs / result.compileBaseline.medianMs;
  console.log(
    `  server median is ${(ratio * 100).toFixed(0)}% of the baseline's (target <= 20%, <= 30 ms)`,
  );
  return result;
}

/** Whole runs of an unchanged resubmission (cache) and of a fresh one, interleaved. */
export async function compareCachedRuns(
  exerciseId: string,
  code: string,
  rounds: number,
): Promise<{ cachedRun: Timing; uncachedRun: Timing }> {
  const runner = createDefaultRunner({ log: () => {} });
  let seq = 0;
  const run = async () => {
    const r = await runner.run({ runId: `bench-cache-${++seq}`, exerciseId, code }, () => {});
    if (r.status !== 'pass') throw new Error(`the run did not pass (${r.status}: ${r.summary})`);
  };
  await run();
  const cached: number[] = [];
  const uncached: number[] = [];
  for (let i = 0; i < rounds; i++) {
    cached.push(await timed(run));
    clearCompileCache();
    uncached.push(await timed(run));
  }
  const result = { cachedRun: timing(cached), uncachedRun: timing(uncached) };
  console.log(
    `whole run, unchanged resubmission (cached compile): ${showTiming(result.cachedRun)}`,
  );
  console.log(
    `whole run, compiled afresh:                        ${showTiming(result.uncachedRun)}`,
  );
  return result;
}
