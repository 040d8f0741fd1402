// One tiny real run end to end, the way a student's run goes: an exercise's own solution is
// compiled with the PCH, checked, loaded, attached behind the dispatcher, its target run and the
// result graded, and it must pass. Anything short of that (a stale PCH, a broken loader, a kernel
// that stopped running BPF) is where the lab is broken for everyone, so health reports it with
// the stage it stopped at and the platform's own message. The set-up ends with the same run.
import type { Exercise } from '@ebpf-lab/exercises';
import { createDefaultDeps, createRunner, runLoader } from '@ebpf-lab/runner';
import type { RunProgress } from '@ebpf-lab/runner';

/** The first exercise: the smallest run there is (one program, one getppid()). */
export const SELF_CHECK_EXERCISE = 'platform-tour';

export interface SelfCheckResult {
  ok: boolean;
  exerciseId: string;
  /** The stage the run stopped at when it did not pass (compile, static, verifier, …). */
  stage?: string;
  message?: string;
  /** What the platform logged during a run that passed anyway (a stale PCH rebuilt on the way). */
  notes?: string[];
  durationMs: number;
  checkedAt: string;
}

export interface SelfCheckOptions {
  exercise: Exercise;
  /** The native loader to run with (defaults to the built one). */
  loaderPath?: string;
  /** A check still running after this long counts as failed. */
  timeoutMs?: number;
}

/** platform-tour when the lab has it, else the first exercise of the curriculum. */
export function selfCheckExercise(exercises: Iterable<Exercise>): Exercise | undefined {
  const all = [...exercises];
  return (
    all.find((e) => e.meta.id === SELF_CHECK_EXERCISE) ??
    all.sort((a, b) => a.meta.chapter - b.meta.chapter || a.meta.order - b.meta.order)[0]
  );
}

export function createSelfCheck(opts: SelfCheckOptions): () => Promise<SelfCheckResult> {
  const { exercise } = opts;
  // What the platform logs during a check (one check runs at a time): its own failures, with
  // the real cause the student-facing summary leaves out, and repairs such as a rebuilt PCH.
  let logged: string[] = [];
  const deps = createDefaultDeps({
    exercises: [exercise],
    log: (message, error) => {
      logged.push(error instanceof Error ? `${message}: ${error.message}` : message);
    },
  });
  const runner = createRunner({
    ...deps,
    runLoader: (config, onLine, signal) =>
      runLoader(config, onLine, signal, { loaderPath: opts.loaderPath }),
  });
  let seq = 0;

  return async () => {
    const t0 = performance.now();
    const checkedAt = new Date().toISOString();
    const exerciseId = exercise.meta.id;
    const result = (
      r: Omit<SelfCheckResult, 'exerciseId' | 'durationMs' | 'checkedAt'>,
    ): SelfCheckResult => ({
      ...r,
      exerciseId,
      durationMs: Math.round(performance.now() - t0),
      checkedAt,
    });
    logged = [];
    let running: string | undefined;
    const onProgress = (p: RunProgress) => {
      if (p.type === 'stage') running = p.state === 'started' ? p.stage : undefined;
    };
    try {
      const run = await runner.run(
        { runId: `self-check-${process.pid}-${++seq}`, exerciseId, code: exercise.solution },
        onProgress,
        AbortSignal.timeout(opts.timeoutMs ?? 60_000),
      );
      if (run.status === 'pass')
        return result(logged.length ? { ok: true, notes: logged } : { ok: true });
      const failed = run.stages.find((s) => s.status === 'failed');
      const failedChecks = run.checks.filter((c) => c.required && c.status !== 'pass');
      const detail = failedChecks.map((c) => `${c.title}: ${c.message}`).join('; ');
      return result({
        ok: false,
        stage: failed?.name ?? running ?? 'run',
        message: [logged.at(-1) ?? run.summary, detail].filter(Boolean).join(' '),
      });
    } catch (e) {
      // The runner turns its own failures into results; this is a bug in the check itself.
      return result({
        ok: false,
        stage: running ?? 'run',
        message: e instanceof Error ? e.message : String(e),
      });
    }
  };
}
