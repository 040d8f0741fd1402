// `npm start` ends here: read the configuration, build the dependencies, serve.
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { createDeps, sweepStaleRuns } from './create-deps.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`lab: bad configuration: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const logger = pino({ level: config.logLevel });
  // A web node of a shared queue runs nothing on its own host (and may have no cgroup v2).
  if (!config.redisUrl) await sweepStaleRuns(logger);
  const deps = await createDeps(config, logger);
  const server = await startServer(deps);
  logger.info(
    { exercises: deps.exercises.size, runner: deps.runnerKind, concurrency: config.runConcurrency },
    `eBPF Lab is serving on ${server.urls.join(' and ')}`,
  );
  logger.info(
    { exposed: server.mode.exposed, anonymousRuns: server.mode.anonymousRuns },
    `mode: ${server.mode.summary}`,
  );
  for (const warning of server.mode.warnings) logger.warn(warning);
  const stop = (signal: string) => {
    logger.info(`${signal}: closing`);
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error('lab: the server could not start:', e);
  process.exit(1);
});
