// The resident process (native/loader/resident.c): one `loader --resident` for the whole lab,
// which keeps the dispatcher attached to every hook a run has needed and slots each run in and
// out through maps, so a run pays no dispatcher load, attach or detach; and which forks the
// loader of each run (forked-run.ts), so a run pays no process start from Node. The first run
// that could use it starts it; runs before it is ready, or while it cannot take them, start a
// loader of their own with a dispatcher of its own, which stays the fallback and the
// benchmark's baseline. It is replaced when it dies or set-up rebuilt the loader, and it dies
// with this process, its children with it: its programs, maps and links are its own fds, and its
// sockets are in a tmpfs of its own mount namespace (reached through /proc/PID/root), so nothing
// of it stays on the kernel or on disk, however this process ends.
// LAB_RESIDENT_DISPATCHER=off turns it off; LAB_FORKED_RUNS=off keeps the dispatcher but starts
// each loader from Node (to compare).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../paths.ts';
import { startProcess } from '../process.ts';
import type { RunningProcess } from '../process.ts';

const START_TIMEOUT_MS = 30_000;
/** After a failed start, runs take the per-run path this long before the next try. */
const RETRY_AFTER_MS = 10_000;
/** A replaced dispatcher serves the runs slotted into it this long (a run's watchdog is shorter). */
const RETIRE_AFTER_MS = 60_000;

/** Where the resident process listens, as this process reaches it. */
export interface ResidentSockets {
  /** The dispatcher: loaders slot their runs in there (`loader --dispatcher SOCKET`). */
  dispatcherSocket: string;
  /** Runs forked by the resident process (forked-run.ts); absent with LAB_FORKED_RUNS=off. */
  runSocket?: string;
}

export class ResidentDispatcher {
  private exited = false;
  readonly socketPath: string;
  readonly runSocketPath: string;

  private constructor(
    private readonly child: RunningProcess,
    socketDir: string,
  ) {
    this.socketPath = join(socketDir, 'dispatcher.sock');
    this.runSocketPath = join(socketDir, 'runs.sock');
    void child.result.then(() => {
      this.exited = true;
    });
  }

  /** Starts one and resolves once it listens; rejects with its message if it cannot. */
  static async start(loader: string): Promise<ResidentDispatcher> {
    let ready: (dir: string | undefined) => void = () => {};
    const readyLine = new Promise<string | undefined>((resolve) => (ready = resolve));
    let stdout = '';
    const proc = startProcess(loader, ['--resident'], {
      maxOutputBytes: 64 * 1024,
      unref: true,
      onStdout: (chunk) => {
        stdout += chunk.toString('utf8');
        const m = /^ready (\/proc\/\d+\/root\/\S+)$/m.exec(stdout);
        if (m) ready(m[1]);
      },
    });
    void proc.result.then(() => ready(undefined));
    const timer = setTimeout(() => ready(undefined), START_TIMEOUT_MS);
    const dir = await readyLine;
    clearTimeout(timer);
    if (!dir) {
      proc.kill();
      const res = await proc.result;
      const why = res.stderr.toString('utf8').trim() || `exit ${res.code ?? res.signal}`;
      throw new Error(`the resident dispatcher did not start: ${why}`);
    }
    return new ResidentDispatcher(proc, dir);
  }

  get sockets(): ResidentSockets {
    return {
      dispatcherSocket: this.socketPath,
      ...(forkedRunsEnabled() ? { runSocket: this.runSocketPath } : {}),
    };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Kills it; resolves once it has exited (the kernel then frees what it held). */
  async stop(): Promise<void> {
    this.exited = true;
    this.child.kill();
    // the child is unref'd: without this, a caller awaiting its exit would let Node end first
    const keepAlive = setInterval(() => {}, 1000);
    await this.child.result;
    clearInterval(keepAlive);
  }
}

interface Current {
  binary: string;
  ready: Promise<ResidentDispatcher | undefined>;
  running?: ResidentDispatcher;
}

let current: Current | undefined;
let failedAt = 0;

export function residentDispatcherEnabled(): boolean {
  return process.env.LAB_RESIDENT_DISPATCHER !== 'off';
}

function forkedRunsEnabled(): boolean {
  return process.env.LAB_FORKED_RUNS !== 'off';
}

/** The loader binary as set-up last wrote it: a rebuild replaces the resident dispatcher. */
function binaryIdentity(loader: string): string | undefined {
  try {
    const st = statSync(loader);
    return `${st.ino} ${st.size} ${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function start(loader: string, binary: string): Current {
  const c: Current = { binary, ready: Promise.resolve(undefined) };
  c.ready = ResidentDispatcher.start(loader).then(
    (d) => {
      if (current === c) c.running = d;
      else void d.stop();
      return d;
    },
    (e: unknown) => {
      failedAt = Date.now();
      console.error(`${e instanceof Error ? e.message : String(e)}; runs attach their own`);
      if (current === c) current = undefined;
      return undefined;
    },
  );
  return c;
}

function retire(c: Current): void {
  void c.ready.then((d) => {
    if (!d?.alive) return;
    setTimeout(() => void d.stop(), RETIRE_AFTER_MS).unref();
  });
}

/**
 * The sockets of the running resident process, or undefined (the run then takes the per-run
 * path). Starts one when none runs, or replaces it when it died or its binary changed.
 */
export function residentSockets(loader = paths.loader): ResidentSockets | undefined {
  if (!residentDispatcherEnabled()) return undefined;
  const binary = binaryIdentity(loader);
  if (!binary) return undefined;
  if (current && current.running?.alive === false) current = undefined;
  if (current && current.binary !== binary) {
    retire(current);
    current = undefined;
  }
  if (!current) {
    if (Date.now() - failedAt < RETRY_AFTER_MS) return undefined;
    current = start(loader, binary);
  }
  return current.running?.alive ? current.running.sockets : undefined;
}

/** Starts the resident process if needed and waits until it serves; its sockets, if it can. */
export async function residentDispatcherReady(
  loader = paths.loader,
): Promise<ResidentSockets | undefined> {
  failedAt = 0;
  residentSockets(loader);
  const d = await current?.ready;
  return d?.alive ? d.sockets : undefined;
}

/** The running resident dispatcher's process id (tests kill it to check what a run then does). */
export async function residentDispatcherPid(): Promise<number | undefined> {
  const d = await current?.ready;
  return d?.alive ? d.pid : undefined;
}

/** Stops it, resolving once it exited: everything it attached and every map it held go with it. */
export async function stopResidentDispatcher(): Promise<void> {
  const c = current;
  current = undefined;
  const d = await c?.ready;
  await d?.stop();
}
