// The resident dispatcher (native/loader/resident.c): one `loader --resident SOCKET` for the whole
// lab, which keeps the dispatcher attached to every hook a run has needed and slots each run in
// and out through maps, so a run pays no dispatcher load, attach or detach. The first run that
// could use it starts it; runs before it is ready, or while it cannot take them, take the
// per-run path (a dispatcher of the loader's own), which stays the fallback and the benchmark's
// baseline. It is replaced when it dies or set-up rebuilt the loader, and it dies with this
// process: its programs, maps and links are its own fds, so nothing of it stays on the kernel.
// LAB_RESIDENT_DISPATCHER=off turns it off.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../paths.ts';
import { startProcess } from '../process.ts';
import type { RunningProcess } from '../process.ts';

const START_TIMEOUT_MS = 30_000;
/** After a failed start, runs take the per-run path this long before the next try. */
const RETRY_AFTER_MS = 10_000;
/** A replaced dispatcher serves the runs slotted into it this long (a run's watchdog is shorter). */
const RETIRE_AFTER_MS = 60_000;

export class ResidentDispatcher {
  private exited = false;

  private constructor(
    private readonly child: RunningProcess,
    private readonly socketDir: string,
    readonly socketPath: string,
  ) {
    const removeDir = () => rmSync(socketDir, { recursive: true, force: true });
    process.once('exit', removeDir);
    void child.result.then(() => {
      this.exited = true;
      removeDir();
      process.off('exit', removeDir);
    });
  }

  /** Starts one and resolves once it listens; rejects with its message if it cannot. */
  static async start(loader: string): Promise<ResidentDispatcher> {
    const socketDir = mkdtempSync(join(tmpdir(), 'ebpf-lab-dispatcher-'));
    const socketPath = join(socketDir, 'dispatcher.sock');
    let ready: (ok: boolean) => void = () => {};
    const readyLine = new Promise<boolean>((resolve) => (ready = resolve));
    let stdout = '';
    const proc = startProcess(loader, ['--resident', socketPath], {
      maxOutputBytes: 64 * 1024,
      unref: true,
      onStdout: (chunk) => {
        stdout += chunk.toString('utf8');
        if (/^ready$/m.test(stdout)) ready(true);
      },
    });
    void proc.result.then(() => ready(false));
    const timer = setTimeout(() => ready(false), START_TIMEOUT_MS);
    const ok = await readyLine;
    clearTimeout(timer);
    if (!ok) {
      proc.kill();
      const res = await proc.result;
      rmSync(socketDir, { recursive: true, force: true });
      const why = res.stderr.toString('utf8').trim() || `exit ${res.code ?? res.signal}`;
      throw new Error(`the resident dispatcher did not start: ${why}`);
    }
    return new ResidentDispatcher(proc, socketDir, socketPath);
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
    rmSync(this.socketDir, { recursive: true, force: true });
    await this.child.result;
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
 * The socket of the running resident dispatcher, or undefined (the run then takes the per-run
 * path). Starts one when none runs, or replaces it when it died or its binary changed.
 */
export function residentDispatcherSocket(loader = paths.loader): string | undefined {
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
  return current.running?.alive ? current.running.socketPath : undefined;
}

/** Starts the resident dispatcher if needed and waits until it serves; its socket, if it can. */
export async function residentDispatcherReady(loader = paths.loader): Promise<string | undefined> {
  failedAt = 0;
  residentDispatcherSocket(loader);
  const d = await current?.ready;
  return d?.alive ? d.socketPath : undefined;
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
