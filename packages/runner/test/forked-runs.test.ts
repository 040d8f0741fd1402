// Kernel tests of runs forked by the resident process (native/loader/forked-runs.c): the same
// run as a loader started from Node, a child that dies with whatever kills it or its parent,
// nothing left behind, and a resident process that no client can take down. Real programs on
// this kernel; the loader and fixtures built by the harness.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderConfig, LoaderLine } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCgroupMounts, runLoader } from '../src/loader/index.ts';
import { ResidentDispatcher } from '../src/loader/resident.ts';
import { startProcess } from '../src/process.ts';
import { config, hex, loaderPath, objects, readLines, setUpLoaderTests } from './loader-harness.ts';

setUpLoaderTests();

let resident: ResidentDispatcher | undefined;

beforeAll(async () => {
  resident = await ResidentDispatcher.start(loaderPath);
}, 60_000);

afterAll(async () => {
  await resident?.stop();
});

function sockets(): { runSocket: string; dispatcherSocket: string } {
  if (!resident?.alive) throw new Error('the resident process is not running');
  return { runSocket: resident.runSocketPath, dispatcherSocket: resident.socketPath };
}

const LOOP = { args: ['--loop', '100000000', '/tmp/bait.txt'], wallMs: 10_000 };

interface Outcome {
  lines: LoaderLine[];
  error?: Error;
  pid?: number;
  forked?: boolean;
  /** The loader's parent and mount namespace, seen at its first line. */
  parent?: number;
  mountNs?: string;
  cleaned: Promise<{ code: number | null; signal: string | null }>;
  submitted(): string;
  of<T extends LoaderLine['type']>(type: T): Extract<LoaderLine, { type: T }>[];
}

async function run(
  cfg: LoaderConfig,
  opts: { forked?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
  onLine?: (l: LoaderLine, pid: number | undefined) => void,
): Promise<Outcome> {
  const lines: LoaderLine[] = [];
  let pid: number | undefined;
  let forked: boolean | undefined;
  let parent: number | undefined;
  let mountNs: string | undefined;
  let error: Error | undefined;
  let cleanedUp: (v: { code: number | null; signal: string | null }) => void = () => {};
  const cleaned = new Promise<{ code: number | null; signal: string | null }>(
    (r) => (cleanedUp = r),
  );
  try {
    await runLoader(
      cfg,
      (l) => {
        if (!lines.length && pid) {
          parent = Number(
            /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1],
          );
          mountNs = readlinkSync(`/proc/${pid}/ns/mnt`);
        }
        lines.push(l);
        onLine?.(l, pid);
      },
      opts.signal,
      {
        loaderPath,
        ...(opts.forked === false ? {} : sockets()),
        timeoutMs: opts.timeoutMs,
        onSpawn: (p, f) => {
          pid = p;
          forked = f;
        },
        onCleanedUp: (info) => cleanedUp(info),
      },
    );
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }
  const { of, submitted } = readLines(lines);
  return { lines, error, pid, forked, parent, mountNs, cleaned, submitted, of };
}

function alive(pid: number): boolean {
  try {
    // a zombie still answers kill(0): only a running process counts
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  return !alive(pid);
}

function cgroupLeft(cgroup: string): boolean {
  const mounts = findCgroupMounts();
  const rel = cgroup.slice(mounts.v2.length + 1);
  return [mounts.v2, mounts.memory, mounts.pids].some(
    (root) => root && existsSync(join(root, rel)),
  );
}

async function cgroupGone(cgroup: string): Promise<boolean> {
  for (let i = 0; i < 100 && cgroupLeft(cgroup); i++) await sleep(50);
  return !cgroupLeft(cgroup);
}

/** The children of a process, from /proc. */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

/** Talks to the run socket by hand: sends `input` (ending it or not), collects what comes. */
function rawRun(
  input: string | Buffer,
  opts: { end: boolean; until?: (text: string) => boolean },
): Promise<{ text: string; destroyed: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ path: sockets().runSocket, allowHalfOpen: true });
    let text = '';
    let destroyed = false;
    let error: string | undefined;
    socket.on('connect', () => (opts.end ? socket.end(input) : socket.write(input)));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (opts.until?.(text)) {
        destroyed = true;
        socket.destroy();
      } else if (statusLine(text)) socket.destroy();
    });
    // the server closed: so does this side, which never ended its writing half itself
    socket.on('end', () => socket.end());
    // the exit status's line is the last thing sent: the server waits for this side to close
    const statusLine = (t: string) => /\0[^\n]*\n/.test(t);
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code));
    socket.on('close', () => resolve({ text, destroyed, error }));
  });
}

function forkedPid(text: string): number {
  const m = /^run (\d+)\n/.exec(text);
  if (!m) throw new Error(`no "run PID" line in ${JSON.stringify(text.slice(0, 200))}`);
  return Number(m[1]);
}

function exitStatus(text: string): { code: number | null; signal: string | null; stderr: string } {
  const zero = text.indexOf('\0');
  if (zero < 0) throw new Error(`no exit status in ${JSON.stringify(text.slice(-200))}`);
  return JSON.parse(text.slice(zero + 1)) as {
    code: number | null;
    signal: string | null;
    stderr: string;
  };
}

/** The run's lines in order, but for the records and syscalls, whose interleaving varies. */
function shape(r: { lines: LoaderLine[] }): string[] {
  return r.lines.filter((l) => l.type !== 'syscall' && l.type !== 'submit').map((l) => l.type);
}

/** What the target did, without pids and times, nor the dynamic loader's own opens. */
function trace(r: Outcome): string[] {
  return r
    .of('syscall')
    .map((s) => `${s.phase} ${s.hook} ${'path' in s ? (s.path ?? '') : ''}`)
    .filter((s) => !s.includes('/lib') && !s.includes('ld.so'));
}

/** A run of the reference fixture must still pass: the resident process still serves. */
async function expectServes(): Promise<void> {
  const r = await run(config(objects.solution, 'still-serving'));
  expect(r.error).toBeUndefined();
  expect(r.forked).toBe(true);
  expect(r.submitted()).toBe(hex('still-serving'));
}

describe('runs forked by the resident process', () => {
  it('reports what a loader started from Node reports, slotted into the resident dispatcher', async () => {
    const forked = await run(config(objects.solution, 'forked-secret'));
    const spawned = await run(config(objects.solution, 'forked-secret'), { forked: false });
    expect(forked.error).toBeUndefined();
    expect(forked.forked).toBe(true);
    expect(spawned.forked).toBe(false);
    expect(forked.submitted()).toBe(hex('forked-secret'));
    expect(spawned.submitted()).toBe(hex('forked-secret'));
    expect(shape(forked)).toEqual(shape(spawned));
    expect(trace(forked)).toEqual(trace(spawned));
    // slotted into the resident dispatcher: no dispatcher of its own
    expect(forked.of('attached')[0].platform?.links).toEqual([]);
    // a child of the resident process, which reaps it: its exit comes back with the lines
    expect(forked.parent).toBe(resident?.pid);
    expect(spawned.parent).toBe(process.pid);
    expect(await forked.cleaned).toMatchObject({ code: 0, signal: null });
    expect(await gone(forked.pid ?? 0)).toBe(true);
  });

  it('keeps concurrent runs apart: each sees only its own target and secret', async () => {
    const [a, b] = await Promise.all([
      run(config(objects['submit-all'], 'forked-aaaa')),
      run(config(objects['submit-all'], 'forked-bbbb')),
    ]);
    for (const r of [a, b]) {
      expect(r.error).toBeUndefined();
      expect(r.forked).toBe(true);
    }
    expect(a.pid).not.toBe(b.pid);
    expect(a.submitted()).toContain(hex('forked-aaaa'));
    expect(a.submitted()).not.toContain(hex('forked-bbbb'));
    expect(b.submitted()).toContain(hex('forked-bbbb'));
    expect(b.submitted()).not.toContain(hex('forked-aaaa'));
  });

  it('runs in the host’s mount namespace, not the resident process’s own', async () => {
    const r = await run(config(objects.solution, 'host-ns'));
    expect(r.submitted()).toBe(hex('host-ns'));
    expect(r.mountNs).toBe(readlinkSync('/proc/self/ns/mnt'));
    expect(readlinkSync(`/proc/${resident?.pid}/ns/mnt`)).not.toBe(r.mountNs);
  });

  it('ends a run whose child is killed mid-run, and removes its cgroup', async () => {
    const cfg = config(objects.solution, 'k', LOOP);
    const r = await run(cfg, {}, (l, pid) => {
      if (l.type === 'scenario_start' && pid) process.kill(pid, 'SIGKILL');
    });
    expect(r.forked).toBe(true);
    expect(r.error?.message).toMatch(
      /^loader exited \(code null, signal SIGKILL\) without reporting done/,
    );
    expect(r.of('done')).toEqual([]);
    expect(await gone(r.pid ?? 0)).toBe(true);
    expect(await cgroupGone(cfg.cgroup)).toBe(true);
    await expectServes();
  });

  it('kills a hung child at the watchdog', async () => {
    const cfg = config(objects.solution, 'w', LOOP);
    const r = await run(cfg, { timeoutMs: 1500 });
    expect(r.forked).toBe(true);
    expect(r.error?.message).toMatch(/^loader timed out without reporting done/);
    expect(await gone(r.pid ?? 0)).toBe(true);
    expect(await cgroupGone(cfg.cgroup)).toBe(true);
  });

  it('kills the child when the run is cancelled', async () => {
    const cfg = config(objects.solution, 'c', LOOP);
    const abort = new AbortController();
    const r = await run(cfg, { signal: abort.signal }, (l) => {
      if (l.type === 'scenario_start') abort.abort();
    });
    expect(r.error?.message).toBe('the run was cancelled');
    expect(await gone(r.pid ?? 0)).toBe(true);
    expect(await cgroupGone(cfg.cgroup)).toBe(true);
  });

  it('kills the child and removes its cgroup when the client disconnects mid-run', async () => {
    const cfg = config(objects.solution, 'd', LOOP);
    const { text, destroyed } = await rawRun(JSON.stringify(cfg), {
      end: true,
      until: (t) => t.includes('"type":"scenario_start"'),
    });
    expect(destroyed).toBe(true);
    const pid = forkedPid(text);
    expect(await gone(pid)).toBe(true);
    // no runner swept it: the resident process removed what its child left
    expect(await cgroupGone(cfg.cgroup)).toBe(true);
    await expectServes();
  });

  it('answers a malformed config with a fatal line, and keeps serving', async () => {
    for (const input of ['not json at all', '{"object": 42}', '[1,2,3]', '']) {
      const { text } = await rawRun(input, { end: true });
      const body = text.slice(text.indexOf('\n') + 1, text.indexOf('\0'));
      const fatal = JSON.parse(body.trim()) as LoaderLine;
      expect(fatal.type).toBe('fatal');
      expect(fatal.type === 'fatal' && fatal.message).toMatch(/^config: /);
      expect(exitStatus(text)).toEqual({ code: 1, signal: null, stderr: '' });
      expect(await gone(forkedPid(text))).toBe(true);
    }
    await expectServes();
  });

  it('keeps an exited child’s pid its own until the client has read the status and closed', async () => {
    // the runner kills by process group: the pid must not be another process's before it knows
    // the child ended, so the child stays unreaped until the connection closes
    const socket = connect({ path: sockets().runSocket, allowHalfOpen: true });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    const statusRead = new Promise<void>((resolve) =>
      socket.on('data', () => /\0[^\n]*\n/.test(text) && resolve()),
    );
    const closed = new Promise<void>((resolve) => socket.on('close', resolve));
    socket.on('connect', () => socket.end('not json at all'));
    await statusRead;
    const pid = forkedPid(text);
    expect(exitStatus(text)).toEqual({ code: 1, signal: null, stderr: '' });
    const state = () => {
      try {
        return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      } catch {
        return undefined;
      }
    };
    expect(state()).toBe('Z');
    socket.destroy();
    await closed;
    for (let i = 0; i < 100 && state() !== undefined; i++) await sleep(50);
    expect(state()).toBeUndefined();
    await expectServes();
  });

  it('gives up on a config that never arrives whole, and keeps serving', async () => {
    const cfg = JSON.stringify(config(objects.solution, 'half'));
    // half a config, the connection held open: the child waits for the rest, then gives up
    const held = await rawRun(cfg.slice(0, cfg.length / 2), { end: false });
    expect(held.text).toMatch(
      /^run \d+\n\{"type":"fatal","message":"config: not a JSON object"\}\n\0/,
    );
    // half a config, then the connection closed: the child is killed
    const closed = await rawRun(cfg.slice(0, cfg.length / 2), {
      end: false,
      until: (t) => /^run \d+\n/.test(t),
    });
    expect(await gone(forkedPid(closed.text))).toBe(true);
    await expectServes();
  }, 30_000);

  it('survives a flood of connections that close at once', async () => {
    const pid = resident?.pid ?? 0;
    const noChildren = async () => {
      for (let i = 0; i < 100 && childrenOf(pid).length > 0; i++) await sleep(50);
      return childrenOf(pid).length === 0;
    };
    expect(await noChildren()).toBe(true);
    const floods = await Promise.all(
      Array.from({ length: 100 }, () => rawRun('', { end: false, until: () => true })),
    );
    // every connection got an answer (a child's pid, or the resident process busy), or was
    // refused by the kernel with its listening queue full
    for (const f of floods)
      if (f.text || f.error !== 'EAGAIN') expect(f.text).toMatch(/^(run \d+|busy .+)\n/);
    expect(floods.some((f) => f.text.startsWith('run '))).toBe(true);
    expect(await noChildren()).toBe(true);
    await expectServes();
  });

  it('starts the loader from Node when the resident process cannot be reached', async () => {
    const r = await run(config(objects.solution, 'fallback'), { forked: false });
    const unreachable = await (async () => {
      const lines: LoaderLine[] = [];
      let forked: boolean | undefined;
      await runLoader(config(objects.solution, 'fallback'), (l) => lines.push(l), undefined, {
        loaderPath,
        runSocket: join(tmpdir(), `no-such-${process.pid}.sock`),
        onSpawn: (_p, f) => (forked = f),
      });
      return { lines, forked };
    })();
    expect(unreachable.forked).toBe(false);
    expect(shape(unreachable)).toEqual(shape(r));
    expect(r.submitted()).toBe(hex('fallback'));
  });

  it('starts the loader from Node when the resident process hangs; the late child is killed', async () => {
    const pid = resident?.pid ?? 0;
    const forkedBefore = childrenOf(pid).length;
    process.kill(pid, 'SIGSTOP');
    let r: Outcome;
    try {
      r = await run(config(objects.solution, 'hung'));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(r.forked).toBe(false);
    expect(r.error).toBeUndefined();
    expect(r.submitted()).toBe(hex('hung'));
    // not slotted into the hung resident dispatcher either: a dispatcher of its own
    expect(r.of('attached')[0].platform?.links.length).toBeGreaterThan(0);
    // resumed, it forks for the connection already closed, and kills that child at once
    for (let i = 0; i < 100 && childrenOf(pid).length > forkedBefore; i++) await sleep(50);
    expect(childrenOf(pid)).toHaveLength(forkedBefore);
    await expectServes();
  }, 30_000);

  it('has its sockets only in its own namespace, reachable by root alone', () => {
    const dir = resident?.runSocketPath.replace(/\/runs\.sock$/, '') ?? '';
    expect(dir).toMatch(/^\/proc\/\d+\/root\/tmp$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'runs.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'dispatcher.sock')).mode & 0o777).toBe(0o600);
    // not in the host's /tmp
    expect(readdirSync('/tmp').filter((f) => f === 'runs.sock' || f === 'dispatcher.sock')).toEqual(
      [],
    );
  });

  it('dies with its parent, its children and sockets with it', async () => {
    // a parent that starts the resident process and is then SIGKILLed, as a server can be
    const parent = startProcess('sh', ['-c', `"${loaderPath}" --resident & wait`], {
      maxOutputBytes: 4096,
    });
    const shell = parent.pid ?? 0;
    let residentPid = 0;
    for (let i = 0; i < 400 && !residentPid; i++) {
      const kid = childrenOf(shell)[0];
      if (kid && existsSync(`/proc/${kid}/root/tmp/runs.sock`)) residentPid = kid;
      else await sleep(50);
    }
    expect(residentPid).toBeGreaterThan(0);
    // a run forked by it, hung in its target
    const cfg = config(objects.solution, 'orphan', LOOP);
    const runSocket = `/proc/${residentPid}/root/tmp/runs.sock`;
    let childPid: number | undefined;
    const lines: LoaderLine[] = [];
    const running = runLoader(cfg, (l) => lines.push(l), undefined, {
      loaderPath,
      runSocket,
      onSpawn: (p) => (childPid = p),
    }).catch((e: unknown) => e);
    for (let i = 0; i < 200 && !lines.some((l) => l.type === 'scenario_start'); i++)
      await sleep(50);
    expect(childPid).toBeDefined();
    // the shell alone: the resident process dies because its parent did, its child with it
    process.kill(shell, 'SIGKILL');
    await parent.result;
    expect(await gone(residentPid)).toBe(true);
    expect(await gone(childPid ?? 0)).toBe(true);
    expect(await running).toBeInstanceOf(Error);
    expect(await cgroupGone(cfg.cgroup)).toBe(true);
    expect(existsSync(runSocket)).toBe(false);
  });
});
