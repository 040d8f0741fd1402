// The WebSocket path /lsp: one sandboxed clangd per connection, JSON-RPC both ways, killed
// when the socket closes, after idle minutes, or when its session limit is reached. Each clangd
// runs under a memory limit (clangd-memory.ts), and no one client (a signed-in user, or a
// signed-out address) may hold every clangd. Spare clangds are started ahead of time
// (clangd-process.ts) so a student's first diagnostics do not wait for lab.h and vmlinux.h to be
// parsed and indexed. Upgrades arrive through the server's upgrade router, which has already
// checked the page's origin and settled who the client is.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { LSP_CLOSE, MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';

import { clientKey } from '../network/fair-share.ts';
import type { LabClient } from '../identity.ts';
import { ClangdProcess, WARM_VERSION } from './clangd-process.ts';
import { boundRoots, findClangd } from './clangd-sandbox.ts';
import type { ClangdInstall } from './clangd-sandbox.ts';
import {
  initializeResultForBrowser,
  rewriteClientMessage,
  rewriteServerMessage,
} from './lsp-rewrite.ts';

export const LSP_PATH = '/lsp';

export interface ClangdBridgeOptions {
  /** build/include: vmlinux.h and lab.h. */
  includeDir: string;
  bpfHeaders?: string;
  logger?: Logger;
  /** clangd processes at once; further connections are refused with a named limit. */
  maxSessions?: number;
  /** clangd processes one client may hold; kept below maxSessions so nobody takes them all. */
  maxSessionsPerClient?: number;
  /** Whether signed-out clients may have a clangd (false: the lab is open to the network). */
  anonymous?: boolean;
  /** Memory one clangd may use. */
  memoryBytes?: number;
  /** A session with no message from the browser for this long is closed. */
  idleMs?: number;
  /** Largest single message either way. */
  maxMessageBytes?: number;
  /** Warm clangds kept ready for the next connections (each ~250 MB, ~3 s of CPU to warm). */
  warmSessions?: number;
}

export interface ClangdBridge {
  wss: WebSocketServer;
  /** Takes an upgrade the server's upgrade router sent to /lsp. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, client: LabClient): void;
  sessions(): number;
  /** Resolves when the spare clangds are warm (for tests and measurements). */
  warmed(): Promise<void>;
  close(): Promise<void>;
}

/** Spare clangds, warming or warm, handed out warm first. */
class ClangdPool {
  private spare: ClangdProcess[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly start: () => ClangdProcess,
    private readonly logger?: Logger,
  ) {}

  /** A clangd for a new session: a warm spare, else the spare closest to warm, else a new one. */
  take(): ClangdProcess {
    this.spare = this.spare.filter((p) => p.alive());
    const warm = this.spare.findIndex((p) => p.isWarm());
    const taken = this.spare.length > 0 ? this.spare.splice(Math.max(warm, 0), 1)[0] : this.start();
    this.fill();
    return taken;
  }

  /** Starts spares up to the pool's size; a spare that dies is replaced at the next take. */
  fill(): void {
    if (this.closed) return;
    while (this.spare.length < this.size) {
      let p: ClangdProcess;
      try {
        p = this.start();
      } catch (err) {
        this.logger?.warn({ err }, 'no spare clangd: editor assistance starts cold');
        return;
      }
      this.spare.push(p);
      void p.exited.then(() => {
        this.spare = this.spare.filter((q) => q !== p);
      });
    }
  }

  async warmed(): Promise<void> {
    await Promise.all(this.spare.map((p) => Promise.race([p.warm, p.exited])));
  }

  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = [];
    for (const p of spare) p.kill();
    await Promise.all(spare.map((p) => p.exited));
  }
}

export const DEFAULT_CLANGD_MEMORY_BYTES = 1024 * 1024 * 1024;

export function createClangdBridge(options: ClangdBridgeOptions): ClangdBridge {
  const maxSessions = options.maxSessions ?? 4;
  // One client may never hold every clangd (unless there is only one).
  const perClient = Math.max(1, Math.min(options.maxSessionsPerClient ?? 2, maxSessions - 1));
  const perClientCount = new Map<string, number>();
  const idleMs = options.idleMs ?? 5 * 60_000;
  const maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
  });
  const active = new Set<ClangdProcess>();
  // Where clangd is, looked up without blocking the event loop (again after a failure, at the
  // next connection: clangd may have been installed meanwhile).
  let install: ClangdInstall | undefined;
  let installError: unknown;
  const lookUp = () =>
    findClangd().then(
      (found) => {
        install = found;
      },
      (err: unknown) => {
        installError = err;
      },
    );
  const startClangd = () => {
    if (!install) throw installError ?? new Error('clangd has not been found yet');
    return new ClangdProcess({
      install,
      includeDir: options.includeDir,
      bpfHeaders: options.bpfHeaders,
      logger: options.logger,
      maxMessageBytes,
      memoryBytes: options.memoryBytes ?? DEFAULT_CLANGD_MEMORY_BYTES,
    });
  };
  const pool = new ClangdPool(options.warmSessions ?? 1, startClangd, options.logger);
  const found = lookUp().then(() => pool.fill());

  wss.on('connection', (ws: WebSocket, _req: IncomingMessage, who: LabClient) => {
    if (!who.user && options.anonymous === false) {
      ws.close(LSP_CLOSE.signInRequired, 'sign in to get editor assistance on this lab');
      return;
    }
    if (install) accept(ws, who);
    else void lookUp().then(() => ws.readyState === ws.OPEN && accept(ws, who));
  });

  /** Gives the connection a clangd, within the limits; synchronous, so the counts hold. */
  function accept(ws: WebSocket, who: LabClient): void {
    if (active.size >= maxSessions) {
      ws.close(LSP_CLOSE.busy, `editor assistance is limited to ${maxSessions} sessions at once`);
      return;
    }
    const key = clientKey(who);
    const held = perClientCount.get(key) ?? 0;
    if (held >= perClient) {
      const whose = who.user ? 'per user' : 'per address';
      ws.close(
        LSP_CLOSE.busy,
        `editor assistance is limited to ${perClient} sessions ${whose}: close another tab`,
      );
      return;
    }
    let clangd: ClangdProcess;
    try {
      clangd = pool.take();
    } catch (err) {
      options.logger?.warn({ err }, 'clangd could not start');
      ws.close(LSP_CLOSE.clangdExited, 'the code assistant could not start');
      return;
    }
    perClientCount.set(key, held + 1);
    startSession(ws, clangd, () => {
      const left = (perClientCount.get(key) ?? 1) - 1;
      if (left > 0) perClientCount.set(key, left);
      else perClientCount.delete(key);
    });
  }

  function startSession(ws: WebSocket, clangd: ClangdProcess, release: () => void): void {
    active.add(clangd);
    const roots = boundRoots(clangd.install, options);
    const connectedAt = performance.now();
    const wasWarm = clangd.isWarm();
    let clientUri: string | undefined;
    let idle: NodeJS.Timeout | undefined;
    let closed = false;
    let firstDiagnostics = true;

    const end = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      clearTimeout(idle);
      active.delete(clangd);
      release();
      clangd.kill();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    };
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => end(LSP_CLOSE.idle, `closed after ${Math.round(idleMs / 60_000)} idle minutes`),
        idleMs,
      );
    };
    touch();

    void clangd.exited.then(() => {
      options.logger?.debug(clangd.child.exitStatus(), 'clangd exited');
      const mib = Math.round(clangd.memory.bytes / (1024 * 1024));
      end(
        LSP_CLOSE.clangdExited,
        clangd.outOfMemory
          ? `the code assistant stopped: your file made it use all of its ${mib} MiB of memory`
          : 'the code assistant stopped',
      );
    });
    clangd.handOff(
      (json, msg) => {
        if (ws.readyState !== ws.OPEN) return;
        if (firstDiagnostics && msg.method === 'textDocument/publishDiagnostics') {
          firstDiagnostics = false;
          options.logger?.info(
            { ms: Math.round(performance.now() - connectedAt), warm: wasWarm },
            'clangd: first diagnostics after connecting',
          );
        }
        ws.send(rewriteServerMessage(json, clientUri ?? 'file:///student.bpf.c', roots));
      },
      () => end(LSP_CLOSE.tooLarge, 'the code assistant sent a message that was too large'),
    );

    ws.on('message', (data: RawData, isBinary: boolean) => {
      touch();
      if (isBinary) return;
      const verdict = rewriteClientMessage(data.toString(), clientUri, MAX_SOURCE_BYTES);
      if (!verdict.ok) {
        // Requests get a JSON-RPC error so the client's promise settles; notifications are dropped.
        if (verdict.id !== undefined) {
          ws.send(
            JSON.stringify({
              jsonrpc: '2.0',
              id: verdict.id,
              error: { code: -32600, message: verdict.reason },
            }),
          );
        }
        return;
      }
      const forward = verdict.forward as {
        id?: number | string;
        method?: string;
        params?: { textDocument?: { version?: unknown } };
      };
      // clangd was initialized while warming: the browser gets that answer, and its own
      // `initialized` would be a second one.
      if (forward.method === 'initialize') {
        const id = forward.id;
        void clangd.initialized.then((result) => {
          if (ws.readyState === ws.OPEN && id !== undefined) {
            ws.send(
              JSON.stringify({
                jsonrpc: '2.0',
                id,
                result: initializeResultForBrowser(result),
              }),
            );
          }
        });
        return;
      }
      if (forward.method === 'initialized') return;
      if (
        forward.method === 'textDocument/didOpen' &&
        forward.params?.textDocument?.version === WARM_VERSION
      ) {
        clangd.browserUsesWarmVersion = true;
      }
      if (verdict.clientUri) clientUri = verdict.clientUri;
      clangd.send(verdict.forward);
    });
    ws.on('close', () => end(1000, 'closed'));
    ws.on('error', () => end(1011, 'socket error'));
  }

  return {
    wss,
    handleUpgrade(req, socket, head, who) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, who));
    },
    sessions: () => active.size,
    warmed: () => found.then(() => pool.warmed()),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      const sessions = [...active];
      for (const c of sessions) c.kill();
      await Promise.all([pool.close(), ...sessions.map((c) => c.exited)]);
      wss.close();
    },
  };
}
