// One part of `npm run bench`. Each section measures one thing (against its baseline where there
// is one) and returns its part of the report; index.ts runs them in order. A section that needs
// the real server gets it in the context; one that cannot run throws, with why, and the others
// still run.
import type { Measured } from './report.ts';

export interface BenchContext {
  quick: boolean;
  /** The flagship, whose reference solution every section runs. */
  exerciseId: string;
  solution: string;
  /** Timed whole runs (BENCH_TIMING_RUNS). */
  timingRuns: number;
  /** Runs in the clean-up soak (BENCH_RUNS). */
  soakRuns: number;
  /** The real lab server the bench started, once the server sections run. */
  serverUrl?: string;
  /** Its pid, to count the CPU it uses. */
  serverPid?: number;
  /** Runs that server has made so far (a server's first runs are slower: V8, zod, caches). */
  serverRuns?: number;
}

export interface BenchSection {
  name: string;
  /** Needs the real lab server (`ctx.serverUrl`). */
  server?: boolean;
  /** Its fields of the report; fields beyond `Measured` are kept as they are. */
  run(ctx: BenchContext): Promise<Partial<Measured> & Record<string, unknown>>;
}
