// Load against the real server: `clients` WebSocket clients connect to /ws, wait for `hello`,
// and all submit at the same moment, `rounds` times each (the next round of a client as soon as
// its result is in). Each measures its own runs from sending `run` to the `result`.
//
// Every client submits the flagship's reference solution with a comment line naming the client
// and the round: a class does not submit identical files, and the same bytes would be answered
// by the compile cache after the first (the cache is measured apart, as cachedRun).
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import type { Timing } from './compile.ts';
import { timing } from './compile.ts';
import { processInfo } from './processes.ts';

/** One submission as a client saw it. */
export interface RunRecord {
  /** Send to result, or to the message that ended it. */
  ms: number;
  outcome: 'pass' | 'fail' | 'error' | 'refused' | 'lost';
  /** The highest queue position the server reported for it (0: never queued). */
  maxQueuePosition: number;
  /** For a refusal or an error: the server's message. */
  message?: string;
}

export interface LoadResult extends Timing {
  clients: number;
  runs: number;
  passed: number;
  /** Turned away by the server (an `error` message with no result: a limit, a full queue). */
  refused: number;
  /** Sent and never answered, or the connection closed first. */
  lost: number;
  /** Results that were not a pass (a failed check or an error of the run itself). */
  notPassed: number;
  /** Passed runs per second, from the first submission to the last answer. */
  runsPerSecond: number;
  /** The longest queue any client was told about. */
  maxQueuePosition: number;
  wallMs: number;
  loadAverage: number[];
  /** The first few distinct messages of refusals and errors, to say why. */
  messages: string[];
  /**
   * With `serverPid`: the CPU the server process itself used over the load (all its threads; not
   * the loaders, targets or compile workers, which are other processes), per run. Counted in
   * clock ticks of 10 ms, so read it over many runs.
   */
  serverCpuMsPerRun?: number;
}

/** Sums up what the clients saw; a pure function of their records. */
export function summariseLoad(
  clients: number,
  records: RunRecord[],
  wallMs: number,
  loadAverage: number[],
): LoadResult {
  const count = (o: RunRecord['outcome']) => records.filter((r) => r.outcome === o).length;
  const answered = records.filter((r) => r.outcome !== 'lost' && r.outcome !== 'refused');
  const passed = count('pass');
  return {
    clients,
    runs: records.length,
    passed,
    refused: count('refused'),
    lost: count('lost'),
    notPassed: count('fail') + count('error'),
    runsPerSecond: wallMs > 0 ? Math.round((passed / (wallMs / 1000)) * 100) / 100 : 0,
    maxQueuePosition: records.reduce((m, r) => Math.max(m, r.maxQueuePosition), 0),
    wallMs: Math.round(wallMs),
    loadAverage: loadAverage.map((l) => Math.round(l * 100) / 100),
    ...(answered.length
      ? timing(answered.map((r) => r.ms))
      : { medianMs: 0, p95Ms: 0, minMs: 0, n: 0 }),
    messages: [
      ...new Set(records.filter((r) => r.message).map((r) => `${r.outcome}: ${r.message}`)),
    ].slice(0, 5),
  };
}

interface ServerMessage {
  type: string;
  requestId?: string;
  runId?: string;
  position?: number;
  message?: string;
  result?: { status: 'pass' | 'fail' | 'error'; summary: string };
}

/** A connected client, ready once the server said hello. */
class Client {
  private readonly ws: WebSocket;
  private pending?: {
    requestId: string;
    runId?: string;
    startedAt: number;
    maxQueuePosition: number;
    done: (r: RunRecord) => void;
  };

  readonly ready: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ready = new Promise((resolve, reject) => {
      this.ws.on('error', (e) => {
        reject(e);
        this.end('lost', e.message);
      });
      this.ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'hello') resolve();
        else this.onMessage(m);
      });
      this.ws.once('close', (code, reason) => {
        reject(new Error(`closed before hello (${code} ${reason.toString()})`));
        this.end('lost', `the connection closed (${code} ${reason.toString()})`);
      });
    });
  }

  private end(outcome: RunRecord['outcome'], message?: string): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    p.done({
      ms: performance.now() - p.startedAt,
      outcome,
      maxQueuePosition: p.maxQueuePosition,
      ...(message ? { message } : {}),
    });
  }

  private onMessage(m: ServerMessage): void {
    const p = this.pending;
    if (!p) return;
    if (m.type === 'accepted' && m.requestId === p.requestId) p.runId = m.runId;
    else if (m.type === 'queued' && m.runId === p.runId)
      p.maxQueuePosition = Math.max(p.maxQueuePosition, m.position ?? 0);
    else if (m.type === 'result' && m.runId === p.runId && m.result) {
      const { status, summary } = m.result;
      this.end(status, status === 'pass' ? undefined : summary);
    } else if (m.type === 'error' && (!m.runId || m.runId === p.runId)) {
      // Before `accepted`, an error turns the run away; after it, the run itself stopped.
      this.end(p.runId ? 'error' : 'refused', m.message);
    }
  }

  submit(exerciseId: string, code: string, timeoutMs: number): Promise<RunRecord> {
    return new Promise((resolve) => {
      const requestId = `bench-${Math.random().toString(36).slice(2)}`;
      const timer = setTimeout(
        () => this.end('lost', `no answer within ${timeoutMs} ms`),
        timeoutMs,
      );
      this.pending = {
        requestId,
        startedAt: performance.now(),
        maxQueuePosition: 0,
        done: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      this.ws.send(JSON.stringify({ type: 'run', requestId, exerciseId, code }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

export interface LoadOptions {
  /** http://host:port of the server. */
  url: string;
  clients: number;
  rounds: number;
  exerciseId: string;
  code: string;
  /** A run not answered within this is lost. */
  timeoutMs?: number;
  /** The server's pid, to count the CPU it used (serverCpuMsPerRun). */
  serverPid?: number;
}

export async function measureLoad(o: LoadOptions): Promise<LoadResult> {
  const wsUrl = `${o.url.replace(/^http/, 'ws')}/ws`;
  const clients = Array.from({ length: o.clients }, () => new Client(wsUrl));
  const serverCpu = () => (o.serverPid ? (processInfo(o.serverPid)?.ownCpuMs ?? NaN) : NaN);
  try {
    await Promise.all(clients.map((c) => c.ready));
    const cpu0 = serverCpu();
    const t0 = performance.now();
    const records = await Promise.all(
      clients.map(async (client, i) => {
        const mine: RunRecord[] = [];
        for (let round = 0; round < o.rounds; round++) {
          const code = `${o.code}\n// bench client ${i + 1}, round ${round + 1}\n`;
          mine.push(await client.submit(o.exerciseId, code, o.timeoutMs ?? 120_000));
        }
        return mine;
      }),
    );
    const wallMs = performance.now() - t0;
    const cpuMs = serverCpu() - cpu0;
    const result = summariseLoad(o.clients, records.flat(), wallMs, loadavg());
    if (Number.isFinite(cpuMs) && result.runs > 0)
      result.serverCpuMsPerRun = Math.round((cpuMs / result.runs) * 10) / 10;
    return result;
  } finally {
    for (const c of clients) c.close();
  }
}
