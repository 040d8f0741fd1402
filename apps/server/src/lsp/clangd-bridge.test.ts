// A real clangd in its sandbox, behind the real WebSocket path.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { paths } from '@ebpf-lab/runner';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';

import { createClangdBridge, LSP_PATH } from './clangd-bridge.ts';
import type { ClangdBridge } from './clangd-bridge.ts';
import type { LabClient } from '../identity.ts';

function includeDir(): string {
  if (existsSync(join(paths.includeDir, 'vmlinux.h')) && existsSync(paths.labHeader))
    return paths.includeDir;
  const dir = join(tmpdir(), 'ebpf-lab-lsp-include');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(paths.templatesDir, 'common', 'lab.h'), join(dir, 'lab.h'));
  if (!existsSync(join(dir, 'vmlinux.h'))) {
    const dump = spawnSync(
      'bpftool',
      ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      },
    );
    if (dump.status !== 0) throw new Error(`cannot make vmlinux.h: ${dump.stderr}`);
    writeFileSync(join(dir, 'vmlinux.h'), dump.stdout);
  }
  return dir;
}

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Rpc {
  jsonrpc: '2.0';
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message: string };
}

class TestClient {
  private nextId = 1;
  readonly received: string[] = [];
  private waiters: { test: (m: Rpc) => boolean; resolve: (m: Rpc) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.received.push(text);
      const msg = JSON.parse(text) as Rpc;
      this.waiters = this.waiters.filter((w) => (w.test(msg) ? (w.resolve(msg), false) : true));
    });
  }
  static async open(url: string, as?: string): Promise<TestClient> {
    const ws = new WebSocket(as ? `${url}?as=${as}` : url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }
  wait(test: (m: Rpc) => boolean, ms = 30_000): Promise<Rpc> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for clangd')), ms);
      this.waiters.push({
        test,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
      });
    });
  }
  request(method: string, params: unknown): Promise<Rpc> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.wait((m) => m.id === id && m.method === undefined);
  }
  notify(method: string, params: unknown): void {
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }
}

const URI = 'file:///student.bpf.c';
const source = [
  '// A header comment, as every starter has.',
  '#include "lab.h"',
  'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, u32); __type(value, u64); } m SEC(".maps");',
  'SEC("tracepoint/syscalls/sys_enter_openat")',
  'int on_open(void *ctx)',
  '{',
  '  u32 key = 0;',
  '  u64 *v = bpf_map_lookup_elme(&m, &key);',
  '  bpf_map_look',
  '  return 0;',
  '}',
  '',
].join('\n');

/**
 * The client as the server's upgrade router would settle it; here `?as=<name>` signs in as that
 * user, and no `as` is a signed-out visitor from the peer's address.
 */
function clientOf(rawUrl: string | undefined, address: string): LabClient {
  const as = new URL(rawUrl ?? '/', 'http://x').searchParams.get('as');
  return {
    user: as ? { id: as, email: `${as}@lab.test`, name: as, role: 'student' } : null,
    address,
  };
}

const MOUNTS = readFileSync('/proc/mounts', 'utf8');
const V1_MEMORY = /^\S+ (\S+) cgroup \S*\bmemory\b/m.exec(MOUNTS)?.[1];
const V2 = /^\S+ (\S+) cgroup2 /m.exec(MOUNTS)?.[1];

/** A process's memory cgroup directory and the file holding its limit (v1 or v2). */
function memoryCgroupOf(pid: number): { dir: string; limitFile: string } | undefined {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  for (const line of lines) {
    const [, controllers, path] = line.split(':');
    if (V1_MEMORY && controllers?.split(',').includes('memory')) {
      return { dir: join(V1_MEMORY, path), limitFile: 'memory.limit_in_bytes' };
    }
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  return unified && V2 ? { dir: join(V2, unified.slice(3)), limitFile: 'memory.max' } : undefined;
}

describe('clangd bridge on /lsp', () => {
  let bridge: ClangdBridge;
  let url: string;
  const server = createServer().on('upgrade', (req, socket, head) =>
    bridge.handleUpgrade(req, socket, head, clientOf(req.url, req.socket.remoteAddress ?? '')),
  );
  const include = includeDir();

  // The bridge's own log: it says whether a session's clangd was warm when it was handed out.
  const logLines: { msg?: string; warm?: boolean; ms?: number }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line)) },
  );

  beforeAll(async () => {
    bridge = createClangdBridge({
      includeDir: include,
      maxSessions: 3,
      maxSessionsPerClient: 2,
      warmSessions: 1,
      memoryBytes: 768 * 1024 * 1024,
      logger,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${LSP_PATH}`;
    // Warming parses lab.h and vmlinux.h and indexes them: seconds on a busy machine.
    await bridge.warmed();
  }, 180_000);
  afterAll(async () => {
    await bridge.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers diagnostics for a typo and completion for bpf_map_lookup_elem, in the sandbox', async () => {
    const client = await TestClient.open(url);
    onTestFinished(() => client.ws.close());
    const init = await client.request('initialize', {
      processId: 1,
      rootUri: 'file:///etc',
      capabilities: {
        textDocument: {
          completion: { completionItem: { snippetSupport: false } },
        },
      },
      initializationOptions: { fallbackFlags: ['-include', '/etc/shadow'] },
    });
    expect(init.result).toHaveProperty('capabilities.completionProvider');
    // Whole-document sync: the bridge reshapes the text clangd sees.
    expect(init.result).toHaveProperty('capabilities.textDocumentSync.change', 1);
    client.notify('initialized', {});
    const diagnostics = client.wait((m) => m.method === 'textDocument/publishDiagnostics');
    client.notify('textDocument/didOpen', {
      textDocument: { uri: URI, languageId: 'c', version: 1, text: source },
    });

    const published = await diagnostics;
    expect(published.params?.uri).toBe(URI);
    const list = published.params?.diagnostics as {
      range: { start: { line: number } };
      message: string;
      severity: number;
    }[];
    const typo = list.find((d) => d.message.includes('bpf_map_lookup_elme'));
    expect(typo, JSON.stringify(list)).toBeDefined();
    expect(typo?.range.start.line).toBe(7);
    // An error, not clang's default warning: the lab refuses calls to undeclared functions.
    expect(typo?.severity).toBe(1);
    // The session got the warm clangd: its preamble (lab.h, vmlinux.h) was built before.
    expect(
      logLines.find((l) => l.msg === 'clangd: first diagnostics after connecting'),
    ).toMatchObject({ warm: true });
    // The first line was reshaped for clangd, not for the browser: nothing is reported on it.
    expect(list.some((d) => d.range.start.line === 0)).toBe(false);
    // The lab's flags reached clangd: vmlinux.h and the libbpf headers resolved, no include errors.
    expect(list.some((d) => /file not found/.test(d.message))).toBe(false);

    const completion = await client.request('textDocument/completion', {
      textDocument: { uri: URI },
      position: { line: 8, character: 14 },
    });
    const items = ((completion.result as { items?: unknown[] }).items ?? completion.result) as {
      label: string;
      filterText?: string;
      detail?: string;
    }[];
    const lookup = items.find((i) => (i.filterText ?? i.label.trim()) === 'bpf_map_lookup_elem');
    expect(lookup, JSON.stringify(items.map((i) => i.label))).toBeDefined();
    // libbpf declares helpers as function pointers: the signature is in the detail.
    expect(`${lookup?.label} ${lookup?.detail}`).toMatch(/void \*\(\*\)\(void \*, const void \*\)/);

    const hover = await client.request('textDocument/hover', {
      textDocument: { uri: URI },
      position: { line: 6, character: 3 },
    });
    expect(JSON.stringify(hover.result)).toContain('u32');

    // Nothing that reached the browser names a host path.
    const all = client.received.join('\n');
    expect(all).not.toContain(include);
    expect(all).not.toContain('/usr/lib/llvm');
    expect(all).not.toContain('/lsp-work');
    client.ws.close();
    await until(() => bridge.sessions() === 0);
  });

  it('refuses methods outside the list and documents other than the open one', async () => {
    const client = await TestClient.open(url);
    const refused = await client.request('workspace/executeCommand', {
      command: 'x',
    });
    expect(refused.error?.message).toMatch(/not available/);
    await client.request('initialize', { capabilities: {} });
    const other = await client.request('textDocument/hover', {
      textDocument: { uri: 'file:///etc/passwd' },
      position: { line: 0, character: 0 },
    });
    expect(other.error?.message).toMatch(/unknown document/);
    client.ws.close();
  });

  it('names the limit when one client opens too many editors, and when all are taken', async () => {
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    // A third from the same signed-out address is refused although a clangd is free.
    const c = new WebSocket(url);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      c.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed.code).toBe(4002);
    expect(closed.reason).toMatch(/limited to 2 sessions per address/);
    // A signed-in user gets the last one; after that the lab is full for everyone.
    const d = await TestClient.open(url, 'dana');
    const e = new WebSocket(`${url}?as=erin`);
    const full = await new Promise<{ code: number; reason: string }>((resolve) =>
      e.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(full.code).toBe(4002);
    expect(full.reason).toMatch(/limited to 3 sessions at once/);
    for (const x of [a, b, d]) x.ws.close();
    await until(() => bridge.sessions() === 0);
  });

  it('runs each clangd in a memory cgroup with the configured limit, removed when it ends', async () => {
    const client = await TestClient.open(url, 'mia');
    await client.request('initialize', { capabilities: {} });
    await until(() => bridge.sessions() === 1);
    // The spare started for the next session is caged the same way; find every clangd's cgroup.
    const cagedClangds = () =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((pid) => {
          try {
            // clangd renames its main thread `clangd.main` once it runs.
            return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('clangd');
          } catch {
            return false;
          }
        })
        .map(Number)
        .filter((pid) => memoryCgroupOf(pid)?.dir.includes(`/p${process.pid}-clangd-`));
    // Both clangds (the session's and the next spare, which may still be starting) are caged;
    // without a cage, none matches.
    await until(() => cagedClangds().length >= 2, 30_000).catch(() => {});
    const clangds = cagedClangds();
    expect(clangds.length).toBeGreaterThanOrEqual(2);
    const dirs: string[] = [];
    for (const pid of clangds) {
      const cage = memoryCgroupOf(pid)!;
      expect(Number(readFileSync(join(cage.dir, cage.limitFile), 'utf8'))).toBe(768 * 1024 * 1024);
      dirs.push(cage.dir);
    }
    client.ws.close();
    await until(() => bridge.sessions() === 0);
    // The session's clangd is gone, and so is its cgroup.
    await until(() => dirs.some((d) => !existsSync(d)), 10_000);
  });
});

describe('clangd bridge on a lab open to the network', () => {
  it('refuses editor assistance to a signed-out visitor, naming why', async () => {
    const bridge = createClangdBridge({
      includeDir: includeDir(),
      anonymous: false,
      warmSessions: 0,
    });
    const server = createServer().on('upgrade', (req, socket, head) =>
      bridge.handleUpgrade(req, socket, head, clientOf(req.url, '192.0.2.7')),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      await bridge.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}${LSP_PATH}`);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({
      code: 4005,
      reason: 'sign in to get editor assistance on this lab',
    });
    expect(bridge.sessions()).toBe(0);
  });
});

describe('clangd under its memory limit', () => {
  // 277 bytes that expand to a 40 MB string literal: clangd's memory grows by gigabytes.
  const macroBomb = [
    '#define A "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    '#define B A A A A A A A A A A',
    '#define C B B B B B B B B B B',
    '#define D C C C C C C C C C C',
    '#define E D D D D D D D D D D',
    '#define F E E E E E E E E E E',
    '#define G F F F F F F F F F F',
    '#define H G G G G G G G G G G',
    'char s[] = H;',
    '',
  ].join('\n');

  it('is killed at its limit by a macro bomb, and the student is told which limit', async () => {
    const bridge = createClangdBridge({
      includeDir: includeDir(),
      warmSessions: 0,
      memoryBytes: 448 * 1024 * 1024,
    });
    const server = createServer().on('upgrade', (req, socket, head) =>
      bridge.handleUpgrade(req, socket, head, clientOf(req.url, '127.0.0.1')),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      await bridge.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const client = await TestClient.open(
      `ws://127.0.0.1:${(server.address() as AddressInfo).port}${LSP_PATH}`,
    );
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await client.request('initialize', { capabilities: {} });
    client.notify('textDocument/didOpen', {
      textDocument: { uri: URI, languageId: 'c', version: 1, text: macroBomb },
    });
    expect(await closed).toEqual({
      code: 4004,
      reason: 'the code assistant stopped: your file made it use all of its 448 MiB of memory',
    });
    expect(bridge.sessions()).toBe(0);
  }, 180_000);
});
