// /api/health on the real lab: its self-check is a real run of platform-tour's solution (compile
// with the PCH, load, attach, target, grade). The loader is reached through a script of the
// test's own, so the test can break it and mend it without touching the build other tests use.
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildRunner, createHealthProbe, exerciseMap } from '../src/create-deps.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import { RunLifecycle } from '../src/runs/run-lifecycle.ts';
import type { SystemProbe } from '../src/system/system-info.ts';
import { createSystemProbe } from '../src/system/system-info.ts';

let dir: string;
const servers: Server[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-health-'));
});

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Serves the lab's HTTP side around `system`; resolves with its base URL. */
async function serve(system: SystemProbe): Promise<string> {
  const config = loadConfig(
    {},
    { port: 0, host: '127.0.0.1', logLevel: 'silent', webDistDir: dir, dataDir: dir },
  );
  const logger = pino({ level: 'silent' });
  const exercises = exerciseMap();
  const queue = new JobQueue({
    concurrency: 1,
    jobTimeoutMs: 30_000,
    watchdogMs: 1000,
    maxQueued: 10,
  });
  const runner = buildRunner(exercises, logger);
  const app = createApp(
    { config, logger, exercises, runner, runnerKind: 'default', queue, system },
    new RunLifecycle({ queue, runner, logger }),
  );
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Health {
  httpStatus: number;
  status: string;
  bpf: { ok: boolean } | null;
  selfCheck: { ok: boolean; exerciseId: string; stage?: string; message?: string } | null;
}

async function health(url: string): Promise<Health> {
  const res = await fetch(`${url}/api/health`);
  return { httpStatus: res.status, ...((await res.json()) as Omit<Health, 'httpStatus'>) };
}

/** Polls health until `done` holds: checks run in the background, so wait for their state. */
async function healthUntil(
  url: string,
  done: (h: Health) => boolean,
  what: string,
): Promise<Health> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const h = await health(url);
    if (done(h)) return h;
    if (Date.now() > deadline) throw new Error(`health never became ${what}: ${JSON.stringify(h)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Points the test's loader path at `script`, atomically (a check may be starting it). */
function installLoader(path: string, script: string): void {
  writeFileSync(`${path}.tmp`, script);
  chmodSync(`${path}.tmp`, 0o755);
  renameSync(`${path}.tmp`, path);
}

describe('/api/health', () => {
  it('goes degraded with the stage and the message when the loader is broken, and ok again after', async () => {
    const loader = join(dir, 'loader');
    installLoader(loader, '#!/bin/sh\necho "this loader is broken on purpose" >&2\nexit 3\n');
    const logger = pino({ level: 'silent' });
    // No interval: every request after a finished check starts the next one.
    const url = await serve(
      createHealthProbe(exerciseMap(), logger, { loaderPath: loader, intervalMs: 0 }),
    );

    const broken = await healthUntil(url, (h) => h.status !== 'starting', 'checked');
    expect(broken.status).toBe('degraded');
    expect(broken.httpStatus).toBe(503);
    expect(broken.bpf?.ok).toBe(false);
    expect(broken.selfCheck).toMatchObject({
      ok: false,
      exerciseId: 'platform-tour',
      stage: 'verifier',
    });
    expect(broken.selfCheck?.message).toContain('this loader is broken on purpose');

    // The real loader again.
    installLoader(loader, `#!/bin/sh\nexec '${paths.loader}' "$@"\n`);
    const mended = await healthUntil(url, (h) => h.status === 'ok', 'ok');
    expect(mended.httpStatus).toBe(200);
    expect(mended.bpf?.ok).toBe(true);
    expect(mended.selfCheck).toMatchObject({ ok: true, exerciseId: 'platform-tour' });
  });

  it('answers at once while a check is still running, as starting', async () => {
    let finish: () => void = () => {};
    const system = createSystemProbe({
      loaderPath: paths.loader,
      selfCheck: () =>
        new Promise((resolve) => {
          finish = () =>
            resolve({
              ok: true,
              exerciseId: 'x',
              durationMs: 0,
              checkedAt: new Date().toISOString(),
            });
        }),
    });
    const url = await serve(system);
    const h = await health(url);
    expect(h).toMatchObject({ httpStatus: 200, status: 'starting', selfCheck: null });
    finish();
    expect((await system.refresh()).status).toBe('ok');
  });
});
