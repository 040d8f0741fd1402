// Builds the server's dependencies from its configuration. The one place that decides which
// runner the lab uses.
import { mkdirSync } from 'node:fs';
import { loadExercises } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import * as runnerPackage from '@ebpf-lab/runner';
import { paths } from '@ebpf-lab/runner';
import type { LabRunner } from '@ebpf-lab/runner';
import type { Logger } from 'pino';
import { openStore } from '@ebpf-lab/store';
// The compile step, reached by path until @ebpf-lab/runner exports its default runner.
import { compile } from '../../../packages/runner/src/compile/index.ts';
import type { AppDeps } from './app.ts';
import { createAccounts } from './routes/auth/index.ts';
import type { Config } from './config.ts';
import { JobQueue } from './queue/job-queue.ts';
import { createCompileOnlyRunner } from './runs/compile-only-runner.ts';
import { createSystemProbe } from './system/system-info.ts';
import type { SystemProbe } from './system/system-info.ts';

/** What the runner package may offer beyond its declared surface, while it is being written. */
interface OptionalRunnerExports {
  createDefaultRunner?: (options: {
    exercises?: Exercise[];
    log?: (message: string, error: unknown) => void;
  }) => LabRunner;
  sweepStaleCgroups?: () => Promise<string[]>;
}
const optional = runnerPackage as OptionalRunnerExports;

export function exerciseMap(templatesDir: string = paths.templatesDir): Map<string, Exercise> {
  return new Map(loadExercises(templatesDir).map((e) => [e.meta.id, e]));
}

export async function buildRunner(
  exercises: Map<string, Exercise>,
  system: SystemProbe,
  logger: Logger,
): Promise<{ runner: LabRunner; runnerKind: string }> {
  if (optional.createDefaultRunner) {
    const runner = optional.createDefaultRunner({
      exercises: [...exercises.values()],
      log: (message, err) => logger.error({ err }, message),
    });
    return { runner, runnerKind: 'full' };
  }
  const info = await system.info();
  const runner = createCompileOnlyRunner({
    exercises,
    compile: (source, signal) => compile(source, { signal }),
    versions: () => ({ kernel: info.kernel, clang: info.clang ?? '', libbpf: info.libbpf ?? '', exerciseHash: '' }),
  });
  return { runner, runnerKind: 'compile-only' };
}

/** Removes run cgroups a killed server left behind, when the runner provides the sweep. */
export async function sweepStaleRuns(logger: Logger): Promise<void> {
  if (!optional.sweepStaleCgroups) return;
  const swept = await optional.sweepStaleCgroups();
  if (swept.length) logger.info({ swept }, 'removed run cgroups a previous server left behind');
}

export async function createDeps(config: Config, logger: Logger): Promise<AppDeps> {
  mkdirSync(config.dataDir, { recursive: true });
  const exercises = exerciseMap();
  const system = createSystemProbe({ loaderPath: paths.loader });
  const { runner, runnerKind } = await buildRunner(exercises, system, logger);
  const queue = new JobQueue({
    concurrency: config.runConcurrency,
    jobTimeoutMs: config.runTimeoutMs,
    watchdogMs: config.runWatchdogMs,
    maxQueued: config.runQueueMax,
  });
  // Accounts and stored runs (issue 7): runs a killed server left queued/running show as interrupted.
  const { store, interrupted } = await openStore(config.dataDir);
  if (interrupted > 0) logger.warn({ interrupted }, 'runs left unfinished by the last server are marked interrupted');
  const accounts = createAccounts({
    store,
    // Instructors' re-runs wait in the same queue as students' runs, under its concurrency limit.
    runner: { run: (request, onProgress, signal) => queue.enqueue((s) => runner.run(request, onProgress, signal ?? s)).result },
    exercises: () => [...exercises.values()].map((e) => ({ id: e.meta.id, title: e.meta.title, starter: e.starter })),
  });
  return { config, logger, exercises, runner, runnerKind, queue, system, accounts };
}
