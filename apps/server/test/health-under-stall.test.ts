// /api/health stays responsive while runs of files that try to stall the server go through it:
// a flood of compile warnings, a verifier-time bomb, a verifier log of megabytes, DEBUG floods
// and a map-dump flood (fixtures/stall/). The real server runs in a process of its own
// (apps/server/src/main.ts), and this test polls it over one keep-alive connection all along.
//
// How "under 100 ms" is measured on a shared, loaded machine (2 cores that several people's
// tests share, load often 10). Wall time alone would blame the lab for the machine: a process
// that gets a fifth of a core stretches 30 ms of work to 150 ms. So each poll measures two
// things, and a poll fails only when both say the lab kept the answer waiting 100 ms or more:
// - how much later the lab answered than an idle control server (plain node:http in another
//   process, asked at the same moment on its own keep-alive connection): a machine too loaded
//   to schedule anyone, or this test's own process busy, delays both alike;
// - how much CPU time the lab's main thread (its event loop) used while the request waited, from
//   /proc: a loop blocked for 100 ms by the lab's own work burns about that much, however loaded
//   the machine is, while a loop that only waited for a core burns none.
// Every poll counts, none is averaged away, and the numbers are printed. The last test shows
// that the measurement does catch a stall, on a server made to block its loop for 300 ms.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunResult, ServerMessage } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const repoRoot = join(import.meta.dirname, '../../..');
const stallDir = join(import.meta.dirname, 'fixtures', 'stall');
const EXERCISE = 'read-file-password';
const BOUND_MS = 100;

let lab: ChildProcess | undefined;
let control: ChildProcess | undefined;
let dataDir: string;
let labUrl: string;
let controlUrl: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Resolves once `child` printed a line matching `re`; rejects if it exits first. */
function waitForLine(child: ChildProcess, re: RegExp, what: string): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: not ready in 90 s:\n${out}`)),
      90_000,
    );
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      if (re.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${out}`)));
  });
}

interface Answer {
  ms: number;
  status: number;
  body: string;
}

/** One GET on `agent`'s single connection, timed from sending to the last byte of the body. */
function timedGet(agent: Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (ms) the main thread of process `pid`, its event loop, has used so far. */
function loopCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces): state is 3rd, utime 14th, stime 15th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

interface Sample {
  at: number;
  /** Wall time of the server's answer, and of the control's. */
  lab: number;
  control: number;
  /** CPU time the server's main thread used meanwhile. */
  cpu: number;
  status: string;
}

/** How long the server itself kept the answer waiting, by the smaller of the two measures. */
const waited = (s: Sample) => Math.min(s.lab - s.control, s.cpu);

/** Polls `server` (GET `path`) and the control, one request each at a time, until stopped. */
function poll(
  server: { url: string; pid: number },
  path = '/api/health',
): { samples: Sample[]; stop: () => Promise<void> } {
  const samples: Sample[] = [];
  const labAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const controlAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = performance.now();
      const cpuBefore = loopCpuMs(server.pid);
      const [l, c] = await Promise.all([
        timedGet(labAgent, `${server.url}${path}`),
        timedGet(controlAgent, controlUrl),
      ]);
      const cpu = loopCpuMs(server.pid) - cpuBefore;
      const status = (JSON.parse(l.body) as { status: string }).status;
      samples.push({ at, lab: l.ms, control: c.ms, cpu, status });
      await sleep(20);
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
      labAgent.destroy();
      controlAgent.destroy();
    },
  };
}

/** Runs `code` over a fresh WebSocket and resolves with the final result. */
async function runOverWebSocket(code: string): Promise<RunResult> {
  const ws = new WebSocket(`${labUrl.replace(/^http/, 'ws')}/ws`);
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no result in 120 s')), 120_000);
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'hello') {
          ws.send(JSON.stringify({ type: 'run', requestId: 'stall', exerciseId: EXERCISE, code }));
        } else if (m.type === 'result') {
          clearTimeout(timer);
          resolve(m.result);
        } else if (m.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`the server refused the run: ${JSON.stringify(m)}`));
        }
      });
      ws.on('error', reject);
    });
  } finally {
    ws.close();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lab-stall-'));
  const port = await freePort();
  labUrl = `http://127.0.0.1:${port}`;
  const {
    HOST: _host,
    LAB_PUBLIC_URL: _url,
    LAB_REDIS_URL: _redis,
    LAB_DATABASE_URL: _db,
    ...inherited
  } = process.env;
  lab = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...inherited,
      PORT: String(port),
      LAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LAB_LSP_WARM: '0',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(lab, /eBPF Lab is serving on/, 'the lab');
  control = spawn(
    process.execPath,
    [
      '-e',
      'const s = require(\'node:http\').createServer((q, r) => r.end(\'{"status":"ok"}\'));' +
        "s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));",
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let controlOut = '';
  control.stdout?.on('data', (c: Buffer) => (controlOut += c.toString()));
  await waitForLine(control, /port \d+/, 'the control server');
  controlUrl = `http://127.0.0.1:${/port (\d+)/.exec(controlOut)?.[1]}/`;
  // The start-up checks (a real run of platform-tour) are load of their own: wait them out.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(`${labUrl}/api/health`);
    const body = (await res.json()) as { status: string };
    if (body.status === 'ok') break;
    if (Date.now() > deadline)
      throw new Error(`the lab never became healthy: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}, 180_000);

afterAll(async () => {
  for (const child of [lab, control]) {
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    if (child === lab) process.kill(-child.pid, 'SIGTERM');
    else child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const stallFiles = readdirSync(stallDir)
  .filter((f) => f.endsWith('.bpf.c'))
  .sort();

describe('/api/health while files try to stall the server', () => {
  it(
    'answers every poll within 100 ms of an idle server, through every stall run',
    { timeout: 600_000 },
    async () => {
      expect(stallFiles.length).toBeGreaterThanOrEqual(5);
      const polling = poll({ url: labUrl, pid: lab?.pid ?? -1 });
      const runs: { file: string; from: number; to: number; result: RunResult }[] = [];
      try {
        for (const file of stallFiles) {
          const from = performance.now();
          const result = await runOverWebSocket(readFileSync(join(stallDir, file), 'utf8'));
          runs.push({ file, from, to: performance.now(), result });
        }
      } finally {
        await polling.stop();
      }
      const { samples } = polling;
      for (const r of runs) {
        const during = samples.filter((s) => s.at >= r.from && s.at <= r.to);
        const worst = during.reduce((m, s) => Math.max(m, waited(s)), 0);
        const worstBeyond = during.reduce((m, s) => Math.max(m, s.lab - s.control), 0);
        const worstCpu = during.reduce((m, s) => Math.max(m, s.cpu), 0);
        const rawWorst = during.reduce((m, s) => Math.max(m, s.lab), 0);
        console.info(
          `${r.file}: ${r.result.status} ${r.result.errorKind ?? ''} in ${(r.to - r.from).toFixed(0)} ms; ` +
            `${during.length} polls, worst: ${rawWorst.toFixed(0)} ms, ${worstBeyond.toFixed(0)} ms beyond ` +
            `the control, ${worstCpu.toFixed(0)} ms of the loop's CPU, waited ${worst.toFixed(0)} ms; ` +
            `limits: ${r.result.limits.join(' | ')}`,
        );
        // the file really ran, and what stopped it was the student's, not ours
        expect(r.result.errorKind, `${r.file}: ${r.result.summary}`).not.toBe('infrastructure');
        expect(r.result.gradable).toBe(true);
        // polled throughout the run
        expect(during.length, r.file).toBeGreaterThan(0);
      }
      const slow = samples.filter((s) => waited(s) >= BOUND_MS);
      expect(slow, 'polls the server itself kept waiting 100 ms or more').toEqual([]);
      // the lab stayed healthy (not degraded) throughout
      expect(samples.filter((s) => s.status !== 'ok')).toEqual([]);
      // polls followed each other closely: no stretch of the runs went unwatched
      const gaps = samples.slice(1).map((s, i) => s.at - samples[i].at);
      expect(Math.max(...gaps)).toBeLessThan(1000);
    },
  );

  it(
    'catches a server that blocks its event loop: the measurement is not blind',
    { timeout: 60_000 },
    async () => {
      // A server that answers at once, except that every 600 ms it computes for 300 ms of CPU
      // time straight (CPU time, not wall time: on a loaded machine 300 ms of wall time may hold
      // only a few ms of CPU, and the measurement counts the CPU the loop burnt).
      const staller = spawn(
        process.execPath,
        [
          '-e',
          'const s = require(\'node:http\').createServer((q, r) => r.end(\'{"status":"ok"}\'));' +
            'const busy = (ms) => { const t = process.cpuUsage();' +
            ' for (;;) { const u = process.cpuUsage(t); if (u.user + u.system >= ms * 1000) break; } };' +
            'setInterval(() => busy(300), 600);' +
            "s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));",
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      try {
        let out = '';
        staller.stdout?.on('data', (c: Buffer) => (out += c.toString()));
        await waitForLine(staller, /port \d+/, 'the stalling server');
        const url = `http://127.0.0.1:${/port (\d+)/.exec(out)?.[1]}`;
        const polling = poll({ url, pid: staller.pid ?? -1 }, '/');
        // Until a stall is seen, or 150 polls missed every one of them.
        const caught = () => polling.samples.some((s) => waited(s) >= BOUND_MS * 1.5);
        while (polling.samples.length < 150 && !caught()) await sleep(50);
        await polling.stop();
        const worst = polling.samples.reduce((m, s) => Math.max(m, waited(s)), 0);
        console.info(`a loop blocked 300 ms at a time: worst poll waited ${worst.toFixed(0)} ms`);
        expect(worst).toBeGreaterThanOrEqual(BOUND_MS * 1.5);
      } finally {
        staller.kill('SIGTERM');
      }
    },
  );
});
