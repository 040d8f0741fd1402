// A small JSON-RPC 2.0 client over the /lsp WebSocket: requests with ids and timeouts,
// notifications, and a null answer to clangd's own requests (progress tokens and the like).

export interface LspSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: (event: unknown) => void): void;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class LspConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: unknown) => void>();
  private closed = false;
  readonly opened: Promise<void>;

  constructor(
    private readonly socket: LspSocket,
    private readonly timeoutMs = 10_000,
  ) {
    this.opened = new Promise((resolve, reject) => {
      if (socket.readyState === 1) resolve();
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () =>
        reject(new Error('the code assistant is unavailable')),
      );
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => this.dispose());
  }

  onNotification(method: string, handler: (params: unknown) => void): void {
    this.handlers.set(method, handler);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the code assistant is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.notify('$/cancelRequest', { id });
        reject(new Error(`${method} took longer than ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: (r) => resolve(r as T), reject, timer });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  notify(method: string, params: unknown): void {
    if (this.closed || this.socket.readyState !== 1) return;
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('the code assistant is closed'));
    }
    this.pending.clear();
    if (this.socket.readyState <= 1) this.socket.close(1000, 'editor closed');
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: {
      id?: number | string;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { message?: string };
    };
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.method !== undefined) {
      if (msg.id !== undefined) {
        this.socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: null }));
      } else {
        this.handlers.get(msg.method)?.(msg.params);
      }
      return;
    }
    if (typeof msg.id !== 'number') return;
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    this.pending.delete(msg.id);
    clearTimeout(pending.timer);
    if (msg.error) pending.reject(new Error(msg.error.message ?? 'request failed'));
    else pending.resolve(msg.result);
  }
}
