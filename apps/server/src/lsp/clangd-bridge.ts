// The WebSocket path /lsp: one sandboxed clangd per connection, JSON-RPC both ways, killed
// when the socket closes, after idle minutes, or when its session limit is reached.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';

import { boundRoots, clangdCommand, findClangd, labCompileFlags } from './clangd-sandbox.ts';
import { createLspDecoder, encodeLspMessage } from './lsp-framing.ts';
import { rewriteClientMessage, rewriteServerMessage } from './lsp-rewrite.ts';

export const LSP_PATH = '/lsp';

export interface ClangdBridgeOptions {
  /** build/include: vmlinux.h and lab.h. */
  includeDir: string;
  bpfHeaders?: string;
  logger?: Logger;
  /** clangd processes at once; further connections are refused with a named limit. */
  maxSessions?: number;
  /** A session with no message from the browser for this long is closed. */
  idleMs?: number;
  /** Largest single message either way. */
  maxMessageBytes?: number;
}

export interface ClangdBridge {
  wss: WebSocketServer;
  sessions(): number;
  close(): Promise<void>;
}

/** Close codes the browser shows: 4000 + reason. */
export const LSP_CLOSE = { idle: 4001, busy: 4002, tooLarge: 4003, clangdExited: 4004 } as const;

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

/**
 * Adds /lsp to an HTTP server that may already serve other WebSocket paths. `ws` servers bound
 * with `{ server, path }` refuse upgrades for paths not theirs, so the existing upgrade
 * listeners are wrapped: /lsp comes here, everything else goes to them as before.
 */
export function attachClangdBridge(server: Server, options: ClangdBridgeOptions): ClangdBridge {
  const maxSessions = options.maxSessions ?? 4;
  const idleMs = options.idleMs ?? 5 * 60_000;
  const maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const children = new Set<ChildProcess>();

  const previous = server.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
  server.removeAllListeners('upgrade');
  const route = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req) === LSP_PATH) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return;
    }
    for (const listener of previous) listener.call(server, req, socket, head);
  };
  server.on('upgrade', route);

  wss.on('connection', (ws: WebSocket) => {
    if (children.size >= maxSessions) {
      ws.close(LSP_CLOSE.busy, `editor assistance is limited to ${maxSessions} sessions at once`);
      return;
    }
    startSession(ws);
  });

  function startSession(ws: WebSocket): void {
    findClangd();
    const cmd = clangdCommand({ includeDir: options.includeDir, bpfHeaders: options.bpfHeaders, flagsFd: 3 });
    const child = spawn(cmd.command, cmd.args, {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    const flags = labCompileFlags(options.includeDir, findClangd().resourceDir);
    // A dying clangd resets its pipes; that is an exit, handled below, not an exception.
    for (const stream of child.stdio) stream?.on('error', () => undefined);
    const flagsPipe = child.stdio[3];
    if (flagsPipe && 'end' in flagsPipe) (flagsPipe as NodeJS.WritableStream).end(`${flags.join('\n')}\n`);

    const roots = boundRoots(options);
    let clientUri: string | undefined;
    let idle: NodeJS.Timeout | undefined;
    let closed = false;

    const kill = () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    };
    const end = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      clearTimeout(idle);
      kill();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    };
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => end(LSP_CLOSE.idle, `closed after ${Math.round(idleMs / 60_000)} idle minutes`), idleMs);
    };
    touch();

    child.on('exit', (code, signal) => {
      children.delete(child);
      options.logger?.debug({ code, signal }, 'clangd exited');
      end(LSP_CLOSE.clangdExited, 'the code assistant stopped');
    });
    child.on('error', (err) => {
      options.logger?.warn({ err }, 'clangd could not start');
      children.delete(child);
      end(LSP_CLOSE.clangdExited, 'the code assistant could not start');
    });
    child.stderr?.on('data', (d: Buffer) => options.logger?.debug({ clangd: d.toString().slice(0, 500) }, 'clangd stderr'));
    child.stdin?.on('error', () => end(LSP_CLOSE.clangdExited, 'the code assistant stopped'));

    child.stdout?.on(
      'data',
      createLspDecoder(
        (json) => {
          if (ws.readyState !== ws.OPEN) return;
          ws.send(clientUri ? rewriteServerMessage(json, clientUri, roots) : rewriteServerMessage(json, 'file:///student.bpf.c', roots));
        },
        (reason) => {
          options.logger?.warn({ reason }, 'clangd output refused');
          end(LSP_CLOSE.tooLarge, 'the code assistant sent a message that was too large');
        },
        maxMessageBytes,
      ),
    );

    ws.on('message', (data: RawData, isBinary: boolean) => {
      touch();
      if (isBinary) return;
      const verdict = rewriteClientMessage(data.toString(), clientUri, MAX_SOURCE_BYTES);
      if (!verdict.ok) {
        // Requests get a JSON-RPC error so the client's promise settles; notifications are dropped.
        if (verdict.id !== undefined) {
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: verdict.id, error: { code: -32600, message: verdict.reason } }));
        }
        return;
      }
      if (verdict.clientUri) clientUri = verdict.clientUri;
      child.stdin?.write(encodeLspMessage(JSON.stringify(verdict.forward)));
    });
    ws.on('close', () => end(1000, 'closed'));
    ws.on('error', () => end(1011, 'socket error'));
  }

  return {
    wss,
    sessions: () => children.size,
    async close() {
      server.removeListener('upgrade', route);
      for (const listener of previous) server.on('upgrade', listener);
      for (const ws of wss.clients) ws.terminate();
      const exits = [...children].map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
        try {
          if (c.pid) process.kill(-c.pid, 'SIGKILL');
        } catch {
          c.kill('SIGKILL');
        }
      }));
      await Promise.all(exits);
      wss.close();
    },
  };
}
