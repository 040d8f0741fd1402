// The bench's load client against the real server, small: three clients at once on a server that
// runs one at a time, so two of them wait and are told where they are in the queue.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchServer } from './lab-server.ts';
import type { BenchServer } from './lab-server.ts';
import { measureLoad } from './load.ts';

const EXERCISE = 'read-file-password';
let server: BenchServer;

beforeAll(async () => {
  server = await startBenchServer(3, { env: { LAB_RUN_CONCURRENCY: '1' } });
});

afterAll(async () => {
  await server?.stop();
});

describe('measureLoad on the real server', () => {
  it('runs every client, counts nothing refused or lost, and sees queue positions', async () => {
    const result = await measureLoad({
      url: server.url,
      serverPid: server.pid,
      clients: 3,
      rounds: 1,
      exerciseId: EXERCISE,
      code: readFileSync(join(paths.templatesDir, EXERCISE, 'solution.bpf.c'), 'utf8'),
    });
    expect(result, server.output()).toMatchObject({
      clients: 3,
      runs: 3,
      passed: 3,
      refused: 0,
      lost: 0,
      notPassed: 0,
    });
    // One runs, the others wait behind it: the server told them their places.
    expect(result.maxQueuePosition).toBeGreaterThanOrEqual(1);
    expect(result.medianMs).toBeGreaterThan(0);
    expect(result.runsPerSecond).toBeGreaterThan(0);
    // Three whole runs (compile client, static checks, grading) take the server well over a tick.
    expect(result.serverCpuMsPerRun).toBeGreaterThan(0);
  });

  it('counts a refusal as refused', async () => {
    const result = await measureLoad({
      url: server.url,
      clients: 1,
      rounds: 1,
      exerciseId: 'no-such-exercise',
      code: 'int x;',
    });
    expect(result).toMatchObject({ runs: 1, passed: 0, refused: 1, lost: 0 });
    expect(result.messages[0]).toContain('no-such-exercise');
  });
});
