import { ServerMessage } from '@ebpf-lab/protocol';
import type { ClientMessage } from '@ebpf-lab/protocol';

export type SocketStatus = 'connecting' | 'open' | 'closed';

interface Listeners {
  message: Set<(message: ServerMessage) => void>;
  status: Set<(status: SocketStatus) => void>;
}

const PING_EVERY_MS = 25_000;
const MAX_BACKOFF_MS = 10_000;

/**
 * One WebSocket to `/ws` for the whole page, reconnected with backoff when it drops. Everything
 * that arrives is validated against the protocol; what does not validate is dropped and logged.
 */
export class RunSocket {
  private socket: WebSocket | null = null;
  private status: SocketStatus = 'closed';
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private readonly listeners: Listeners = { message: new Set(), status: new Set() };

  constructor(private readonly url: string) {}

  start(): void {
    this.stopped = false;
    if (!this.socket) this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.socket?.close();
    this.socket = null;
    this.setStatus('closed');
  }

  getStatus(): SocketStatus {
    return this.status;
  }

  /** Sends now if open; returns false otherwise so the caller can say so. */
  send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.listeners.message.add(listener);
    return () => this.listeners.message.delete(listener);
  }

  onStatus(listener: (status: SocketStatus) => void): () => void {
    this.listeners.status.add(listener);
    return () => this.listeners.status.delete(listener);
  }

  private connect(): void {
    this.setStatus('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempts = 0;
      this.setStatus('open');
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        console.warn('lab socket: dropped a message that is not JSON');
        return;
      }
      const result = ServerMessage.safeParse(parsed);
      if (!result.success) {
        console.warn('lab socket: dropped a message outside the protocol', result.error.issues);
        return;
      }
      for (const listener of this.listeners.message) listener(result.data);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.pingTimer);
      this.setStatus('closed');
      if (this.stopped) return;
      // Backoff with jitter so a restarted server is not hit by every tab at once.
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.attempts) * (0.75 + Math.random() / 2);
      this.attempts += 1;
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private setStatus(status: SocketStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.listeners.status) listener(status);
  }
}

let shared: RunSocket | null = null;

export function labSocket(): RunSocket {
  if (!shared) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    shared = new RunSocket(`${scheme}//${location.host}/ws`);
    shared.start();
  }
  return shared;
}
