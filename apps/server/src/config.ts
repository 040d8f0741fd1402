// The server's configuration: one schema with defaults, read from the environment. Units are in
// the names so nobody has to guess whether a number is seconds or milliseconds.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { firstIssue } from '@ebpf-lab/protocol';
import { paths } from '@ebpf-lab/runner';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `1`, `true`, `yes` (any case) turn a switch on; `0`, `false`, `no` and unset leave it off. */
const flag = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes'].includes(s)) return true;
    if (['0', 'false', 'no'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'use 1 or 0' });
    return z.NEVER;
  })
  .default(false);

/**
 * Two runs per core, at most 64. A run spends part of its time waiting (for a compile worker, for
 * its target's processes), so one per core left the cores short of work under load; and a compile
 * request that is already waiting when the compile server forks its next worker is served without
 * the warm-up compile, which under load only costs CPU. Measured on 2 cores, 50 clients at once,
 * in alternating pairs: the compile server used ~88 ms of CPU a run with 4 runs at once, ~106 with
 * 2 (3 and 6 gave 84-104), and every pair ran more runs a second with 4.
 */
export function defaultRunConcurrency(cores = availableParallelism()): number {
  return Math.min(64, Math.max(2, 2 * cores));
}

export const Config = z.object({
  port: int(0, 65_535).default(8080),
  /** Unset: loopback only (127.0.0.1 and ::1). Anything else is an explicit choice. */
  host: z.string().min(1).optional(),
  /** Where browsers reach the lab (https://lab.example.org); /ws and /lsp accept only its origin. */
  publicUrl: z
    .string()
    .url()
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      'must be an http:// or https:// URL',
    )
    .optional(),
  /**
   * Express's `trust proxy`, so per-address limits see the client behind a reverse proxy:
   * `false` (the default: the peer is the client), `true`, a number of hops, or a comma-separated
   * list of addresses, subnets and the names `loopback`, `linklocal`, `uniquelocal`.
   */
  trustProxy: z
    .union([z.boolean(), z.number(), z.string()])
    .default(false)
    .transform((v): boolean | number | string => {
      if (typeof v !== 'string') return v;
      const s = v.trim();
      if (s === 'true' || s === 'false') return s === 'true';
      return /^\d+$/.test(s) ? Number(s) : s;
    }),
  /** On a non-loopback bind, signed-out runs (and editor assistance) only with this switch. */
  allowAnonymousRuns: flag,
  /**
   * Runs executing at once; each compiles and then holds the kernel for its scenarios. One per
   * core: a run is CPU work from end to end (the compile, the verifier, attaching, the target),
   * so more at once only share the same cores; at least 2, so that one run's short waits (an RCU
   * grace period, a process starting) leave the core to another.
   */
  runConcurrency: int(1, 64).default(() => defaultRunConcurrency()),
  /** A run is cancelled after this long (its own limits are much shorter). */
  runTimeoutMs: int(1000, 600_000).default(30_000),
  /** After a cancel, how long a run may take to stop before its slot is taken back anyway. */
  runWatchdogMs: int(100, 60_000).default(5000),
  /** Runs waiting beyond this are refused: the lab is busy. */
  runQueueMax: int(1, 10_000).default(100),
  /** Runs one connection may have queued or running at once. */
  runsPerConnection: int(1, 100).default(2),
  /** Runs one signed-in user, or one signed-out address, may have queued or running at once. */
  runsActivePerClient: int(1, 100).default(3),
  /** Runs one signed-in user may start per minute (counted in the store). */
  runsPerMinutePerUser: int(1, 10_000).default(20),
  /** Signed-out runs one client address may start per minute. */
  runsPerMinutePerAddress: int(1, 10_000).default(20),
  /** /ws connections one signed-in user may hold open. */
  socketsPerUser: int(1, 1000).default(8),
  /** Signed-out /ws connections one client address may hold open. */
  socketsPerAddress: int(1, 1000).default(16),
  /** clangd processes (editor assistance on /lsp) at once, for everyone. */
  lspSessions: int(0, 64).default(4),
  /** clangd processes one user or signed-out address may hold (always fewer than all of them). */
  lspSessionsPerClient: int(1, 64).default(2),
  /** clangds started ahead and kept warm for the next editors (each ~250 MB, ~3 s of CPU). */
  lspWarmSessions: int(0, 16).default(1),
  /** Memory one clangd may use (cgroup memory limit; address-space limit where there is none). */
  lspMemoryBytes: int(64 * 1024 * 1024, 64 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024),
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
export type ConfigInput = z.input<typeof Config>;

/** Environment variable for each setting (PORT and HOST as everyone expects, LAB_* for the rest). */
export const ENV_NAMES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  publicUrl: 'LAB_PUBLIC_URL',
  trustProxy: 'LAB_TRUST_PROXY',
  allowAnonymousRuns: 'LAB_ALLOW_ANONYMOUS_RUNS',
  runConcurrency: 'LAB_RUN_CONCURRENCY',
  runTimeoutMs: 'LAB_RUN_TIMEOUT_MS',
  runWatchdogMs: 'LAB_RUN_WATCHDOG_MS',
  runQueueMax: 'LAB_RUN_QUEUE_MAX',
  runsPerConnection: 'LAB_RUNS_PER_CONNECTION',
  runsActivePerClient: 'LAB_RUNS_ACTIVE_PER_CLIENT',
  runsPerMinutePerUser: 'LAB_RUNS_PER_MINUTE_PER_USER',
  runsPerMinutePerAddress: 'LAB_RUNS_PER_MINUTE_PER_ADDRESS',
  socketsPerUser: 'LAB_SOCKETS_PER_USER',
  socketsPerAddress: 'LAB_SOCKETS_PER_ADDRESS',
  lspSessions: 'LAB_LSP_SESSIONS',
  lspSessionsPerClient: 'LAB_LSP_SESSIONS_PER_CLIENT',
  lspWarmSessions: 'LAB_LSP_WARM',
  lspMemoryBytes: 'LAB_LSP_MEMORY_BYTES',
  jsonBodyBytes: 'LAB_JSON_BODY_BYTES',
  dataDir: 'LAB_DATA_DIR',
  databaseUrl: 'LAB_DATABASE_URL',
  redisUrl: 'LAB_REDIS_URL',
  webDistDir: 'LAB_WEB_DIST_DIR',
  logLevel: 'LOG_LEVEL',
};

export class ConfigError extends Error {}

/** Reads the configuration; `overrides` win over the environment (tests use them). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ConfigInput> = {},
): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  }
  const parsed = Config.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    const key = String(issue.path[0]) as keyof Config;
    throw new ConfigError(`${ENV_NAMES[key] ?? key}: ${issue.message}`);
  }
  return parsed.data;
}
