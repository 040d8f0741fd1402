// Builds the server's dependencies from its configuration.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createUnrecognisedLogRecorder } from '@ebpf-lab/diagnostics';
import { loadExercises } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import {
  createDefaultRunner,
  paths,
  sweepStaleCgroups,
  sweepStaleRunObjects,
} from '@ebpf-lab/runner';
import type { LabRunner } from '@ebpf-lab/runner';
import type { Logger } from 'pino';
import { openStore } from '@ebpf-lab/store';
import type { Store } from '@ebpf-lab/store';
import type { AppDeps } from './app.ts';
import { createAccounts } from './routes/auth/index.ts';
import type { Accounts } from './routes/auth/index.ts';
import type { SecureCookies } from './routes/auth/session.ts';
import type { Config } from './config.ts';
import { connectRemoteRunner } from './distributed/remote-runner.ts';
import { JobQueue } from './queue/job-queue.ts';
import { createSelfCheck, selfCheckExercise } from './system/self-check.ts';
import type { SelfCheckResult } from './system/self-check.ts';
import { createSystemProbe } from './system/system-info.ts';
import type { SystemInfo, SystemProbe } from './system/system-info.ts';

/** How long a run may spend waiting in and running through the shared queue. */
const DISTRIBUTED_WAIT_MS = 10 * 60_000;

export function exerciseMap(templatesDir: string = paths.templatesDir): Map<string, Exercise> {
  return new Map(loadExercises(templatesDir).map((e) => [e.meta.id, e]));
}

/** The real runner, grading the server's own exercises. */
export function buildRunner(
  exercises: Map<string, Exercise>,
  logger: Logger,
  dataDir?: string,
): LabRunner {
  // Verifier logs no explanation recognises are kept, so the next explanations can be written
  // from what students really hit.
  const recorder = dataDir
    ? createUnrecognisedLogRecorder(join(dataDir, 'unrecognised-verifier-logs.jsonl'))
    : undefined;
  return createDefaultRunner({
    exercises: [...exercises.values()],
    log: (message, err) => logger.error({ err }, message),
    onUnrecognisedVerifierLog: recorder && ((entry) => recorder.record(entry)),
  });
}

/**
 * Health's checks, the real run of an exercise's solution included, with every change of state
 * logged: a failure with its stage and message, and the recovery after it.
 */
export function createHealthProbe(
  exercises: Map<string, Exercise>,
  logger: Logger,
  options: { loaderPath?: string; intervalMs?: number } = {},
): SystemProbe {
  const loaderPath = options.loaderPath ?? paths.loader;
  const exercise = selfCheckExercise(exercises.values());
  const unavailable = async (): Promise<SelfCheckResult> => ({
    ok: false,
    exerciseId: '',
    stage: 'setup',
    message: 'the lab has no exercise to run',
    durationMs: 0,
    checkedAt: new Date().toISOString(),
  });
  let last: SystemInfo['status'] = 'starting';
  return createSystemProbe({
    loaderPath,
    intervalMs: options.intervalMs,
    selfCheck: exercise ? createSelfCheck({ exercise, loaderPath }) : unavailable,
    onChecked: (info) => {
      const { selfCheck, bpf } = info;
      if (info.status === 'degraded') {
        logger.error({ selfCheck, bpf, clang: info.clang }, 'health: degraded');
      } else if (last === 'degraded') {
        logger.info({ selfCheck }, 'health: ok again');
      }
      for (const note of selfCheck?.notes ?? []) logger.warn(`health check: ${note}`);
      last = info.status;
    },
  });
}

/** Removes the run cgroups and object files a killed server left behind. */
export async function sweepStaleRuns(logger: Logger): Promise<void> {
  const swept = await sweepStaleCgroups();
  if (swept.length) logger.info({ swept }, 'removed run cgroups a previous server left behind');
  const objects = sweepStaleRunObjects();
  if (objects.length) logger.info({ objects }, 'removed run objects a previous server left behind');
}

/**
 * Served as https (LAB_PUBLIC_URL): cookies are always Secure, whatever the request looked like
 * on its way in from the proxy. Otherwise Secure over https and on loopback (session.ts).
 */
export function secureCookiesFor(config: Pick<Config, 'publicUrl'>): SecureCookies {
  return config.publicUrl?.startsWith('https:') ? true : 'auto';
}

/** Accounts by one set of rules for a single lab and every web node of a department set-up. */
export function accountsFor(
  config: Pick<Config, 'publicUrl' | 'runsPerMinutePerUser'>,
  store: Store,
): Accounts {
  return createAccounts({
    store,
    secureCookies: secureCookiesFor(config),
    runLimits: { runsPerMinute: config.runsPerMinutePerUser },
  });
}

export async function createDeps(config: Config, logger: Logger): Promise<AppDeps> {
  mkdirSync(config.dataDir, { recursive: true });
  const exercises = exerciseMap();
  if (config.redisUrl) {
    // A web node grades nothing itself: the grader workers run the real checks.
    const system = createSystemProbe({ loaderPath: paths.loader, grades: false });
    return createDistributedDeps(config, logger, exercises, system, config.redisUrl);
  }
  const system = createHealthProbe(exercises, logger);
  const runner = buildRunner(exercises, logger, config.dataDir);
  const queue = new JobQueue({
    concurrency: config.runConcurrency,
    jobTimeoutMs: config.runTimeoutMs,
    watchdogMs: config.runWatchdogMs,
    maxQueued: config.runQueueMax,
  });
  // Accounts and stored runs: runs a killed server left queued/running show as interrupted.
  const { store, interrupted } = await openStore(config.dataDir, {
    databaseUrl: config.databaseUrl,
  });
  if (interrupted > 0)
    logger.warn({ interrupted }, 'runs left unfinished by the last server are marked interrupted');
  const accounts = accountsFor(config, store);
  // A shared store may have other web nodes: each client's runs are counted there.
  const runShares = config.databaseUrl ? store : undefined;
  return {
    config,
    logger,
    exercises,
    runner,
    runnerKind: 'default',
    queue,
    system,
    accounts,
    runShares,
  };
}

/**
 * A web node of a department set-up: runs go to grader workers through the shared queue. The
 * local queue only caps the runs this node has in flight; the workers enforce each run's time
 * limit, so a run may wait here as long as the shared queue makes it wait.
 */
async function createDistributedDeps(
  config: Config,
  logger: Logger,
  exercises: Map<string, Exercise>,
  system: AppDeps['system'],
  redisUrl: string,
): Promise<AppDeps> {
  const remote = await connectRemoteRunner({ redisUrl, logger });
  const queue = new JobQueue({
    concurrency: config.runQueueMax,
    jobTimeoutMs: DISTRIBUTED_WAIT_MS,
    watchdogMs: config.runWatchdogMs,
    maxQueued: config.runQueueMax,
  });
  // Other web nodes and the workers still own the unfinished runs of the shared store.
  const { store } = await openStore(config.dataDir, {
    databaseUrl: config.databaseUrl,
    interruptUnfinished: false,
  });
  const accounts = accountsFor(config, store);
  const runShares = config.databaseUrl ? store : undefined;
  return {
    config,
    logger,
    exercises,
    runner: remote,
    runnerKind: 'distributed',
    queue,
    system,
    accounts,
    runShares,
  };
}
