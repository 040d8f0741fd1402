// The server's configuration: one schema with defaults, read from the environment. Units are in
// the names so nobody has to guess whether a number is seconds or milliseconds.
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const Config = z.object({
  port: int(0, 65_535).default(8080),
  host: z.string().default('0.0.0.0'),
  /** Runs executing at once; each compiles and then holds the kernel for its scenarios. */
  runConcurrency: int(1, 64).default(2),
  /** A run is cancelled after this long (its own limits are much shorter). */
  runTimeoutMs: int(1000, 600_000).default(30_000),
  /** After a cancel, how long a run may take to stop before its slot is taken back anyway. */
  runWatchdogMs: int(100, 60_000).default(5000),
  /** Runs waiting beyond this are refused: the lab is busy. */
  runQueueMax: int(1, 10_000).default(100),
  /** Runs one connection may have queued or running at once. */
  runsPerConnection: int(1, 100).default(2),
  jsonBodyBytes: int(1024, 16 * 1024 * 1024).default(256 * 1024),
  dataDir: z.string().default(join(paths.repoRoot, 'data')),
  /** PostgreSQL instead of SQLite in the data directory: the store web nodes share. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'give a postgres:// URL')
    .optional(),
  /** Redis of a shared BullMQ queue: runs go to grader workers (`npm run worker`), not in process. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'give a redis:// URL')
    .optional(),
  webDistDir: z.string().default(join(paths.repoRoot, 'apps', 'web', 'dist')),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Config = z.infer<typeof Config>;

/** Environment variable for each setting (PORT as everyone expects, LAB_* for the rest). */
const ENV_NAMES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  runConcurrency: 'LAB_RUN_CONCURRENCY',
  runTimeoutMs: 'LAB_RUN_TIMEOUT_MS',
  runWatchdogMs: 'LAB_RUN_WATCHDOG_MS',
  runQueueMax: 'LAB_RUN_QUEUE_MAX',
  runsPerConnection: 'LAB_RUNS_PER_CONNECTION',
  jsonBodyBytes: 'LAB_JSON_BODY_BYTES',
  dataDir: 'LAB_DATA_DIR',
  databaseUrl: 'LAB_DATABASE_URL',
  redisUrl: 'LAB_REDIS_URL',
  webDistDir: 'LAB_WEB_DIST_DIR',
  logLevel: 'LOG_LEVEL',
};

export class ConfigError extends Error {}

/** Reads the configuration; `overrides` win over the environment (tests use them). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  }
  const parsed = Config.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0]) as keyof Config;
    throw new ConfigError(`${ENV_NAMES[key] ?? key}: ${issue.message}`);
  }
  return parsed.data;
}
