import type { ClientMessage, ServerMessage } from '@ebpf-lab/protocol';
import { whenIdle } from '../shell/when-idle.ts';

type ServerMessageSchema = (typeof import('@ebpf-lab/protocol'))['ServerMessage'];

// The protocol's schemas (every message of every run) take a while to build, and the first page
// needs none of them before its editor is up: they load at an idle moment a few seconds after the
// socket opens, or when a message arrives to be checked, and what arrives meanwhile waits for
// them, in order.
let schema: ServerMessageSchema | null = null;
let schemaLoading: Promise<ServerMessageSchema> | null = null;

/** Loads the server messages' schema (once); sockets check what they receive against it. */
export function loadServerMessageSchema(): Promise<ServerMessageSchema> {
  schemaLoading ??= import('@ebpf-lab/protocol').then(
    (protocol) => (schema = protocol.ServerMessage),
    (error: unknown) => {
      schemaLoading = null;
      throw error;
    },
  );
  return schemaLoading;
}

/** `refused`: the server turned the connection away at a limit; no retry until asked. */
export type SocketStatus = 'connecting' | 'open' | 'closed' | 'refused';

interface Listeners {
  message: Set<(message: ServerMessage) => void>;
  status: Set<(status: SocketStatus) => void>;
}

const PING_EVERY_MS = 25_000;
const MAX_BACKOFF_MS = 10_000;
/** The server's close for a connection beyond its client's share (apps/server/src/ws/). */
const POLICY_CLOSE = 1008;
const DEFAULT_REFUSAL =
  'The lab refused this connection: too many lab tabs are open. Close a tab, then reconnect.';

/**
 * One WebSocket to `/ws` for the whole page, reconnected with backoff when it drops. Everything
 * that arrives is validated against the protocol; what does not validate is dropped and logged.
 * A connection the server refuses at a limit (too many tabs) is not retried: retrying would be
 * refused the same way, silently. The page shows why and reconnects when the student asks.
 */
export class RunSocket {
  private socket: WebSocket | null = null;
  private status: SocketStatus = 'closed';
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private refusal: string | null = null;
  private readonly listeners: Listeners = { message: new Set(), status: new Set() };
  /** What the socket received while the schema loaded: handled in order once it is there. */
  private inbox: (() => void)[] = [];

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

  /** The server's words for the last refusal, while the status is `refused`. */
  getRefusal(): string | null {
    return this.status === 'refused' ? this.refusal : null;
  }

  /** After a refusal (a tab was closed since): tries again now. */
  reconnect(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.attempts = 0;
    this.connect();
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
    // The server says why before a policy close, in an error message with no run.
    let lastError: string | null = null;
    socket.addEventListener('open', () => {
      this.attempts = 0;
      this.setStatus('open');
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const data = event.data;
      this.inOrder(() => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          console.warn('lab socket: dropped a message that is not JSON');
          return;
        }
        const result = schema!.safeParse(parsed);
        if (!result.success) {
          console.warn('lab socket: dropped a message outside the protocol', result.error.issues);
          return;
        }
        const message = result.data;
        if (message.type === 'error' && message.runId === undefined) lastError = message.message;
        for (const listener of this.listeners.message) listener(message);
      });
    });
    // After the messages before it: a refusal's words come in an error message just before it.
    socket.addEventListener('close', (event) => this.inOrder(() => onClose(event)));
    const onClose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.pingTimer);
      if (this.stopped) return this.setStatus('closed');
      if (event.code === POLICY_CLOSE) {
        this.refusal =
          lastError ??
          (event.reason ? `The lab refused this connection: ${event.reason}.` : DEFAULT_REFUSAL);
        console.warn(`lab socket: refused by the server: ${this.refusal}`);
        return this.setStatus('refused');
      }
      this.setStatus('closed');
      // Backoff with jitter so a restarted server is not hit by every tab at once.
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.attempts) * (0.75 + Math.random() / 2);
      this.attempts += 1;
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  /** Handles what the socket received now, or once the schema is loaded, in arrival order. */
  private inOrder(handle: () => void): void {
    if (schema && this.inbox.length === 0) return handle();
    this.inbox.push(handle);
    if (this.inbox.length > 1) return;
    void loadServerMessageSchema().then(
      () => {
        for (let next = this.inbox.shift(); next; next = this.inbox.shift()) {
          try {
            next();
          } catch (error) {
            console.error('lab socket: a message listener failed', error);
          }
        }
      },
      (error: unknown) => {
        // Without the schema nothing can be checked: drop what waited; the next message retries.
        console.error('lab socket: could not load the protocol', error);
        this.inbox = [];
      },
    );
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
    // Not at the first idle moment: on an exercise page that comes as the editor shows, and
    // building the schemas (zod's start-up with them) then held the student's first click and
    // keys. A run's first message loads them sooner if it comes first.
    setTimeout(() => whenIdle(() => void loadServerMessageSchema().catch(() => {}), 3000), 3000);
  }
  return shared;
}
