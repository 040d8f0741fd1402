// Kernel tests of a run's own network (exercises with "network": "private"): the target sees only
// a loopback interface, up; nothing it sends reaches the host, its services or its interfaces;
// and the namespace goes with the run, even when the loader is killed mid-run. The loader and a
// probe target (native/loader/test/net-probe.c) are built here, as in loader.test.ts.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderConfig, LoaderLine } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupForRun, mapViewOf, runLoader } from '../src/loader/index.ts';
import { paths } from '../src/paths.ts';
import { runProcess } from '../src/process.ts';
import { checkObject } from '../src/static-check/index.ts';

const fixtures = join(paths.loaderSourceDir, 'test');
const MiB = 1024 * 1024;
/** Loopback traffic the probe makes inside the run: far more than the host's background. */
const TRAFFIC_MIB = 64;

let work: string;
let loaderPath: string;
let probe: string;
let object: string;

async function mustRun(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const res = await runProcess(cmd, args, {
    timeoutMs: 120_000,
    env: env ? { ...process.env, ...env } : undefined,
  });
  if (res.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.code}): ${res.stderr.toString()}`);
  }
  return res.stdout.toString();
}

beforeAll(async () => {
  mkdirSync(paths.buildDir, { recursive: true });
  work = mkdtempSync(join(paths.buildDir, 'test-network-'));
  await mustRun(join(paths.loaderSourceDir, 'build.sh'), [join(work, 'native')]);
  loaderPath = join(work, 'native', 'loader');
  probe = join(work, 'net-probe');
  await mustRun('gcc', ['-O2', '-o', probe, join(fixtures, 'net-probe.c')]);
  object = join(work, 'solution.bpf.o');
  await mustRun('clang', [
    ...['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-c'],
    ...['-I', join(paths.templatesDir, 'common'), '-I', paths.includeDir],
    ...[join(fixtures, 'solution.bpf.c'), '-o', object],
  ]);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

let seq = 0;
function config(args: string[], network?: 'private', wallMs = 10_000): LoaderConfig {
  const maps = mapViewOf(
    checkObject(readFileSync(object), {
      sections: [],
      contextSizes: {},
      limits: {
        maxInsns: 1_000_000,
        maxMaps: 64,
        maxMapEntries: 1 << 20,
        maxMapValueBytes: 1 << 20,
        memoryBytes: 1 << 30,
      },
    }),
  );
  return {
    object,
    maps,
    observe: ['syscalls/sys_enter_connect', 'syscalls/sys_exit_connect'],
    cgroup: cgroupForRun(`network-test-${process.pid}-${++seq}`),
    limits: {
      memoryBytes: 256 << 20,
      pids: 32,
      maxRecords: 1000,
      maxSyscalls: 5000,
      maxMapEntries: 100,
      mapDumpEntries: 1000,
      mapDumpBytes: 1 << 20,
      maxOutputBytes: 4096,
      mapMemoryBytes: 64 << 20,
      verifyMs: 10_000,
      verifiedInsns: 1_000_000,
    },
    scenarios: [
      { id: 'net', target: probe, args, files: [], wallMs, ...(network ? { network } : {}) },
    ],
  };
}

interface Run {
  lines: LoaderLine[];
  stdout: string;
  cleaned: Promise<unknown>;
}

async function run(cfg: LoaderConfig, onLine?: (l: LoaderLine) => void, signal?: AbortSignal) {
  const lines: LoaderLine[] = [];
  let cleanedUp: (v: unknown) => void = () => {};
  const cleaned = new Promise((r) => (cleanedUp = r));
  try {
    await runLoader(
      cfg,
      (l) => {
        lines.push(l);
        onLine?.(l);
      },
      signal,
      { loaderPath, onCleanedUp: cleanedUp },
    );
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  const exit = lines.find((l) => l.type === 'target_exit');
  const stdout = exit?.type === 'target_exit' ? exit.exit.stdout : '';
  return { lines, stdout, cleaned } satisfies Run;
}

/** Bytes received and sent so far by each of the host's interfaces (the test's namespace). */
function hostCounters(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync('/proc/self/net/dev', 'utf8').split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out.set(m[1], f[0] + f[8]);
  }
  return out;
}

/** Every process whose network namespace is `inode`, found through /proc/<pid>/ns/net. */
function processesIn(inode: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/net`) === `net:[${inode}]`) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

const ipLines = async (args: string[]) => (await mustRun('ip', args)).trim();
/** The names of the host's interfaces, sorted. */
const hostLinks = async () =>
  (await ipLines(['-o', 'link', 'show']))
    .split('\n')
    .map((l) => l.split(':')[1].trim())
    .sort();
const hostNetns = () => /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))![1];

/** An address of this host that is not loopback (or one from TEST-NET when it has none). */
function otherAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '192.0.2.1';
}

describe('a run with a network of its own', () => {
  let tcp: Server;
  let udp: Socket;
  let tcpConnections = 0;
  let udpMessages = 0;
  beforeAll(async () => {
    tcp = createServer((c) => {
      tcpConnections++;
      c.destroy();
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    udp = createSocket('udp4');
    udp.on('message', () => udpMessages++);
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  });
  afterAll(() => {
    tcp?.close();
    udp?.close();
  });
  const ports = () => [String((tcp.address() as AddressInfo).port), String(udp.address().port)];

  it('gives the target only a loopback interface, up, and lets nothing reach the host', async () => {
    const linksBefore = await hostLinks();
    const before = hostCounters();
    const r = await run(config([...ports(), otherAddress(), String(TRAFFIC_MIB)], 'private'));
    const after = hostCounters();
    await r.cleaned;
    const lines = r.stdout.split('\n');

    expect(
      lines.filter((l) => l.startsWith('interface ')),
      r.stdout,
    ).toEqual(['interface lo']);
    // lo is up (a down loopback answers ENETUNREACH), and the host's listener is not there
    expect(lines, r.stdout).toContain('host-tcp ECONNREFUSED');
    expect(lines, r.stdout).toContain('other-address ENETUNREACH');
    expect(lines, r.stdout).toContain(`loopback bytes ${TRAFFIC_MIB * MiB}`);
    expect(lines.find((l) => l.startsWith('netns '))).not.toBe(`netns ${hostNetns()}`);
    // A datagram the host would have received is in by now: the run ended after sending it.
    await sleep(100);
    expect(tcpConnections).toBe(0);
    expect(udpMessages).toBe(0);
    // The run moved 64 MiB over its own loopback; none of the host's interfaces saw it.
    for (const [name, bytes] of after) {
      const moved = bytes - (before.get(name) ?? 0);
      expect(moved, `host interface ${name} moved ${moved} bytes`).toBeLessThan(TRAFFIC_MIB * MiB);
    }
    expect(await hostLinks()).toEqual(linksBefore);
  });

  it('keeps a run without it on the host network, as the exercises that need no isolation', async () => {
    const r = await run(config([...ports(), otherAddress(), '1']));
    await r.cleaned;
    expect(r.stdout).toContain(`netns ${hostNetns()}`);
    expect(r.stdout).toContain('host-tcp connected');
    await sleep(100);
    expect(tcpConnections).toBe(1);
    tcpConnections = 0;
    udpMessages = 0;
  });

  it('removes the namespace with the run, when it ends and when the loader is killed mid-run', async () => {
    const namedBefore = await ipLines(['netns', 'list']);
    const linksBefore = await hostLinks();
    for (const kill of [false, true]) {
      const cfg = config(
        [...ports(), otherAddress(), '1', kill ? '20000' : '0'],
        'private',
        30_000,
      );
      const ac = new AbortController();
      let inode: string | undefined;
      const r = await run(
        cfg,
        (l) => {
          if (!kill || l.type !== 'scenario_start') return;
          // find the target's namespace through its cgroup, then SIGKILL the loader
          void (async () => {
            for (let i = 0; i < 100 && !inode; i++) {
              await sleep(50);
              const pid = readFileSync(join(cfg.cgroup, 'cgroup.procs'), 'utf8').split('\n')[0];
              if (pid) inode = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
            }
            ac.abort();
          })();
        },
        ac.signal,
      );
      await r.cleaned;
      if (kill) {
        expect(ac.signal.aborted).toBe(true);
        expect(r.lines.some((l) => l.type === 'done')).toBe(false);
      } else {
        inode = /netns (\d+)/.exec(r.stdout)?.[1];
      }
      expect(inode, r.stdout).toBeDefined();
      expect(inode).not.toBe(hostNetns());
      expect(processesIn(inode!)).toEqual([]);
    }
    expect(await ipLines(['netns', 'list'])).toBe(namedBefore);
    expect(await hostLinks()).toEqual(linksBefore);
  });
});
