// Whole runs of the reference solution, in this process through the default runner: from
// submission to verdict (`run()` resolves with the result, before the loader detaches), with each
// stage's share. Also the compile's parts: with and without the PCH, and the loader's probe.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageName } from '@ebpf-lab/protocol';
import {
  clearCompileCache,
  createDefaultRunner,
  paths,
  residentDispatcherReady,
} from '@ebpf-lab/runner';
import { compile } from '../../packages/runner/src/compile/index.ts';
import { showTiming, timing } from './compile.ts';
import type { Timing } from './compile.ts';
import type { WholeRuns } from './report.ts';
import type { BenchContext } from './section.ts';

const STAGES: StageName[] = ['compile', 'static', 'verifier', 'attach', 'target', 'checks'];

async function timeEach(repeat: number, run: () => Promise<void> | void): Promise<Timing> {
  await run(); // warm caches: the first run pays for page cache and the sandbox's binaries
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return timing(times);
}

/** The starter with and without the precompiled lab.h (plain clang), and the loader's probe. */
export async function compileParts(ctx: BenchContext): Promise<Record<string, Timing>> {
  const starter = readFileSync(join(paths.templatesDir, ctx.exerciseId, 'starter.bpf.c'), 'utf8');
  const plain = async (pch: string | null) => {
    // Plain clang, never the cache: this compares clang with and without the PCH.
    const r = await compile(starter, { pch, via: 'clang', cache: false });
    if (!r.ok) throw new Error(`the starter did not compile: ${r.log.slice(0, 300)}`);
  };
  if (!existsSync(paths.pch)) throw new Error(`${paths.pch} is missing (run npm run setup)`);
  const withPch = await timeEach(ctx.quick ? 10 : 20, () => plain(paths.pch));
  console.log(`compile, precompiled lab.h, plain clang: ${showTiming(withPch)}`);
  const withoutPch = await timeEach(3, () => plain(null));
  console.log(`compile, no precompiled header, plain clang: ${showTiming(withoutPch)}`);
  const probe = await timeEach(ctx.quick ? 10 : 20, () => {
    execFileSync(paths.loader, ['--probe'], { stdio: 'ignore' });
  });
  console.log(`loader --probe (load a trivial program, no attach): ${showTiming(probe)}`);
  return { compileWithPch: withPch, compileWithoutPch: withoutPch, loaderProbe: probe };
}

let seq = 0;

export async function timeWholeRuns(ctx: BenchContext): Promise<WholeRuns> {
  const missing = [paths.loader, paths.pch, paths.target(ctx.exerciseId)].filter(
    (p) => !existsSync(p),
  );
  if (missing.length) throw new Error(`${missing.join(', ')} missing (run npm run setup)`);
  // Every timed run on the default path: slotted into the resident dispatcher.
  await residentDispatcherReady();
  const runner = createDefaultRunner({ log: () => {} });
  const run = () =>
    runner.run(
      { runId: `bench-timed-${++seq}`, exerciseId: ctx.exerciseId, code: ctx.solution },
      () => {},
    );
  const warm = await run();
  if (warm.status !== 'pass')
    throw new Error(`the reference solution did not pass (${warm.status}: ${warm.summary})`);
  const whole: number[] = [];
  const byStage = new Map<StageName, number[]>(STAGES.map((s) => [s, []]));
  let notPassed = 0;
  for (let i = 0; i < ctx.timingRuns; i++) {
    // A fresh submission each time: the cache's share is measured apart (cachedRun).
    clearCompileCache();
    const t = performance.now();
    const r = await run();
    whole.push(performance.now() - t);
    if (r.status !== 'pass') notPassed++;
    for (const s of r.stages) byStage.get(s.name)?.push(s.durationMs);
  }
  const stages = Object.fromEntries(
    [...byStage].filter(([, ms]) => ms.length).map(([name, ms]) => [name, timing(ms)]),
  );
  const result = { ...timing(whole), stages, notPassed };
  console.log(`whole run of the reference solution (submission to verdict): ${showTiming(result)}`);
  for (const [name, t] of Object.entries(stages))
    console.log(`  ${name.padEnd(8)} ${showTiming(t)}`);
  if (notPassed) console.log(`  ${notPassed} of ${ctx.timingRuns} timed runs did not pass`);
  return result;
}
