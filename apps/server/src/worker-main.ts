// `npm run worker`: a grader worker for a department set-up. It takes runs from the
// shared queue (LAB_REDIS_URL) and grades them on this host's kernel; web nodes serve students.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.ts';
import { buildRunner, exerciseMap, sweepStaleRuns } from './create-deps.ts';
import { startGraderWorker } from './distributed/grader-worker.ts';

const WorkerEnv = z.object({
  /** A dead worker's runs go back to the queue after about this long. */
  LAB_WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  LAB_WORKER_NAME: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** Written once the worker takes runs: a container health check looks for it. */
  LAB_WORKER_READY_FILE: z.string().optional(),
});

async function main(): Promise<void> {
  let config;
  let env;
  try {
    config = loadConfig();
    env = WorkerEnv.parse(process.env);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof z.ZodError) {
      console.error(`lab worker: bad configuration: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  if (!config.redisUrl) {
    console.error(
      'lab worker: set LAB_REDIS_URL to the queue the web nodes use (redis://host:6379)',
    );
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel });
  await sweepStaleRuns(logger);
  const worker = await startGraderWorker({
    redisUrl: config.redisUrl,
    runner: buildRunner(exerciseMap(), logger, config.dataDir),
    logger,
    name: env.LAB_WORKER_NAME,
    concurrency: config.runConcurrency,
    runTimeoutMs: config.runTimeoutMs,
    lockMs: env.LAB_WORKER_LOCK_MS,
  });
  if (env.LAB_WORKER_READY_FILE) writeFileSync(env.LAB_WORKER_READY_FILE, `${process.pid}\n`);
  logger.info(
    { worker: env.LAB_WORKER_NAME, concurrency: config.runConcurrency },
    'grader worker ready',
  );
  const stop = (signal: string) => {
    logger.info(`${signal}: closing`);
    worker.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error('lab worker: could not start:', e);
  process.exit(1);
});
