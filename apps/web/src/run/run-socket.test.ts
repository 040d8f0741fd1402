// The page's run socket against a scripted WebSocket: a drop is retried with backoff, a refusal
// at the server's connection limit is not (it would be refused again, silently); what arrives
// before the protocol's schemas have loaded is checked all the same once they have, in order.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunSocket, loadServerMessageSchema } from './run-socket.ts';
import type { SocketStatus } from './run-socket.ts';

class ScriptedSocket extends EventTarget {
  static OPEN = 1;
  static opened: ScriptedSocket[] = [];
  readyState = 0;
  constructor(readonly url: string) {
    super();
    ScriptedSocket.opened.push(this);
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  receive(message: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  closedByServer(code: number, reason = ''): void {
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent('close', { code, reason }));
  }
}

let socket: RunSocket;
const statuses: SocketStatus[] = [];

// The schema is loaded lazily; these tests start with it there (the last one goes without).
beforeAll(() => loadServerMessageSchema());

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', ScriptedSocket);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  ScriptedSocket.opened = [];
  statuses.length = 0;
  socket = new RunSocket('ws://lab.test/ws');
  socket.onStatus((s) => statuses.push(s));
});

afterEach(() => {
  socket.stop();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const TOO_MANY =
  'Too many open lab tabs: at most 8 connections per signed-in user. Close a tab and reload.';

describe('the run socket', () => {
  it('reconnects with backoff after a drop', () => {
    socket.start();
    ScriptedSocket.opened[0].open();
    ScriptedSocket.opened[0].closedByServer(1006);
    expect(socket.getStatus()).toBe('closed');
    vi.advanceTimersByTime(1000);
    expect(ScriptedSocket.opened).toHaveLength(2);
    expect(socket.getRefusal()).toBeNull();
  });

  it('stops at a refusal for too many connections, keeps the server’s words, and reconnects when asked', () => {
    socket.start();
    const first = ScriptedSocket.opened[0];
    first.open();
    first.receive({ seq: 0, type: 'error', code: 'rate-limited', message: TOO_MANY });
    first.closedByServer(1008, 'too many connections');
    expect(socket.getStatus()).toBe('refused');
    expect(socket.getRefusal()).toBe(TOO_MANY);
    expect(statuses.filter((s) => s === 'refused')).toHaveLength(1);
    // No silent retries.
    vi.advanceTimersByTime(60_000);
    expect(ScriptedSocket.opened).toHaveLength(1);
    expect(socket.getStatus()).toBe('refused');

    socket.reconnect();
    expect(ScriptedSocket.opened).toHaveLength(2);
    expect(socket.getStatus()).toBe('connecting');
    expect(socket.getRefusal()).toBeNull();
    ScriptedSocket.opened[1].open();
    expect(socket.getStatus()).toBe('open');
  });

  it('names the limit from the close reason when no message came first', () => {
    socket.start();
    ScriptedSocket.opened[0].closedByServer(1008, 'too many connections');
    expect(socket.getRefusal()).toContain('too many connections');
  });

  it('checks what arrives before the schema has loaded once it has, in order', async () => {
    vi.useRealTimers();
    // A fresh copy of the module: its schema not loaded yet.
    vi.resetModules();
    const fresh = await import('./run-socket.ts');
    const lazy = new fresh.RunSocket('ws://lab.test/ws');
    const received: unknown[] = [];
    lazy.onMessage((m) => received.push(m));
    lazy.start();
    const ws = ScriptedSocket.opened[ScriptedSocket.opened.length - 1]!;
    ws.open();
    ws.receive({ seq: 0, type: 'hello', version: '1' });
    // Malformed: the first message checked against the schema is still refused.
    ws.receive({ seq: 1, type: 'accepted', runId: 7 });
    ws.receive({ seq: 2, type: 'error', code: 'rate-limited', message: TOO_MANY });
    ws.closedByServer(1008, 'too many connections');
    expect(received).toEqual([]);
    expect(lazy.getStatus()).toBe('open');
    await vi.waitFor(() => expect(lazy.getStatus()).toBe('refused'));
    expect(received).toEqual([
      { seq: 0, type: 'hello', version: '1' },
      { seq: 2, type: 'error', code: 'rate-limited', message: TOO_MANY },
    ]);
    expect(lazy.getRefusal()).toBe(TOO_MANY);
    lazy.stop();
  });
});
