// The server in-process on a random loopback port, assembled as main.ts assembles it: the tests
// give what they are about (runner, accounts, exercises, settings) and take the rest from here.
import { ExerciseMeta } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import type { LabRunner } from '@ebpf-lab/runner';
import { paths } from '@ebpf-lab/runner';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { loadConfig } from '../src/config.ts';
import type { ConfigInput } from '../src/config.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import type { JobQueueOptions } from '../src/queue/job-queue.ts';
import type { Accounts } from '../src/routes/auth/index.ts';
import { startServer } from '../src/server.ts';
import type { LabServer } from '../src/server.ts';
import { createSystemProbe } from '../src/system/system-info.ts';
import type { SystemProbe } from '../src/system/system-info.ts';

/** One exercise with one scenario and one check, for tests about the server rather than BPF. */
export const ONE_EXERCISE: Exercise = {
  meta: ExerciseMeta.parse({
    id: 'ex-one',
    chapter: 1,
    chapterTitle: 'One',
    order: 1,
    title: 'First',
    summary: 's',
    sections: ['tracepoint/syscalls/sys_enter_openat'],
    scenarios: [{ id: 'base', title: 'Base' }],
    checks: [{ id: 'answer', title: 'Answer', kind: 'answer-equals', hint: 'h' }],
  }),
  dir: '/nonexistent',
  instructions: '',
  starter: 'int main;\n',
  solution: '',
};

export interface TestServerOptions {
  /** The server's data directory, and its web directory unless `config` names another. */
  dir: string;
  runner: LabRunner;
  /** `default` for the lab's own runner; tests that stand in for the kernel say `fake`. */
  runnerKind?: string;
  /** Default: ONE_EXERCISE. */
  exercises?: Map<string, Exercise>;
  /** Settings over the test defaults (port 0, loopback, silent). */
  config?: Partial<ConfigInput>;
  queue?: Partial<JobQueueOptions>;
  system?: SystemProbe;
  accounts?: Accounts;
  logger?: Logger;
}

export function startTestServer(options: TestServerOptions): Promise<LabServer> {
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      webDistDir: options.dir,
      dataDir: options.dir,
      ...options.config,
    },
  );
  return startServer({
    config,
    logger: options.logger ?? pino({ level: 'silent' }),
    exercises: options.exercises ?? new Map([[ONE_EXERCISE.meta.id, ONE_EXERCISE]]),
    runner: options.runner,
    runnerKind: options.runnerKind ?? 'fake',
    queue: new JobQueue({
      concurrency: 1,
      jobTimeoutMs: 10_000,
      watchdogMs: 1000,
      maxQueued: 10,
      ...options.queue,
    }),
    system: options.system ?? createSystemProbe({ loaderPath: paths.loader }),
    accounts: options.accounts,
  });
}
