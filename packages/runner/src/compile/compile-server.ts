// The client of the compile server (native/compile-server/): starts it inside the compile
// sandbox, sends it one source per connection and reads back what the worker produced. Anything
// wrong on the server's side is a CompileServerUnavailable, for the caller to fall back to
// plain clang: a server fault never becomes the student's error.
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { startProcess } from '../process.ts';
import type { RunningProcess } from '../process.ts';
import { cc1Arguments } from './cc1-args.ts';
import { STDERR_TAIL_BYTES } from './outcome.ts';
import type { RawCompile } from './outcome.ts';
import { COMPILE_LIMITS, sandboxCommand } from './sandbox.ts';

export class CompileServerUnavailable extends Error {}

export interface CompileServerOptions {
  binary: string;
  warmUpFile: string;
  includeDir: string;
  pch: string;
  workers: number;
}

const SIGALRM = 14;
const MAGIC = 'BPFC';
const HEADER_BYTES = 4 + 1 + 1 + 4 + 4;
/** The worker's wall-clock alarm answers first; this only catches a server that hangs. */
const CLIENT_TIMEOUT_MS = COMPILE_LIMITS.wallMs + 5_000;
const START_TIMEOUT_MS = 60_000;
const MAX_ANSWER_BYTES = HEADER_BYTES + 4 + 2 * COMPILE_LIMITS.objectBytes;
/** Where the server's socket lives inside the sandbox: a tmpfs of its own, nothing on the host. */
const SOCKET_DIR = '/compile-socket';
const SOCKET_NAME = 'compile.sock';

/**
 * Opens the sandbox's socket directory from outside, through /proc/PID/root of the process bwrap
 * started inside it (bwrap itself stays in the host's mount namespace). Connecting through this
 * descriptor (`/proc/self/fd/N/compile.sock`) needs no path on the host, so nothing is left to
 * remove when the server ends or the process that started it is killed.
 */
function openSocketDir(bwrapPid: number): number {
  const inside = readFileSync(`/proc/${bwrapPid}/task/${bwrapPid}/children`, 'utf8')
    .trim()
    .split(/\s+/)[0];
  if (!/^\d+$/.test(inside ?? '')) throw new Error('the sandbox has no process inside');
  return openSync(`/proc/${inside}/root${SOCKET_DIR}`, constants.O_RDONLY | constants.O_DIRECTORY);
}

/** Decodes `"BPFC" u8 kind, u8 object over the cap, i32 exit, i32 signal, u32 n, object, u32 m, stderr`. */
export function decodeAnswer(data: Buffer): RawCompile {
  const bad = (why: string) => new CompileServerUnavailable(`malformed answer: ${why}`);
  if (data.length < HEADER_BYTES + 4 || data.toString('latin1', 0, 4) !== MAGIC)
    throw bad('no header');
  if (data[4] !== 0) throw new CompileServerUnavailable('the worker could not set itself up');
  const objectTooBig = data[5] === 1;
  const exit = data.readInt32LE(6);
  const signal = data.readInt32LE(10);
  const objectEnd = HEADER_BYTES + 4 + data.readUInt32LE(HEADER_BYTES);
  if (objectEnd + 4 > data.length) throw bad('object cut short');
  const stderrEnd = objectEnd + 4 + data.readUInt32LE(objectEnd);
  if (stderrEnd !== data.length) throw bad('messages cut short');
  // Only what the lab keeps is decoded, as plain clang's output is capped. The server already
  // sends no more than that of a flood of warnings (up to 16 MiB), which read whole blocked the
  // event loop for a fifth of a second; this holds whatever a server sends.
  const stderrStart = objectEnd + 4;
  const kept = Math.min(stderrEnd, stderrStart + COMPILE_LIMITS.stderrBytes);
  const cut = kept < stderrEnd;
  return {
    object: data.subarray(HEADER_BYTES + 4, objectEnd),
    stderr: data.toString('utf8', stderrStart, kept),
    ...(cut && {
      stderrTruncated: true,
      stderrTail: data.toString('utf8', Math.max(kept, stderrEnd - STDERR_TAIL_BYTES), stderrEnd),
    }),
    code: signal ? null : exit,
    signal: signal || undefined,
    objectTooBig,
    timedOut: signal === SIGALRM,
    aborted: false,
  };
}

export class CompileServer {
  private readonly socketPath: string;
  private exited = false;

  private constructor(
    private readonly child: RunningProcess,
    private socketDir: number,
  ) {
    this.socketPath = `/proc/self/fd/${socketDir}/${SOCKET_NAME}`;
    void child.result.then(() => this.stop());
  }

  /** Starts the server and resolves once its workers are forked; rejects if it cannot start. */
  static async start(o: CompileServerOptions): Promise<CompileServer> {
    const cc1 = await cc1Arguments({ includeDir: o.includeDir, pch: o.pch });
    const L = COMPILE_LIMITS;
    const serverArgs = [
      '--socket',
      `${SOCKET_DIR}/${SOCKET_NAME}`,
      '--workers',
      String(o.workers),
      '--warm-up',
      o.warmUpFile,
      '--preload-pch',
      '--memory-bytes',
      String(L.addressSpaceBytes),
      '--cpu-seconds',
      String(L.cpuSeconds),
      '--object-bytes',
      String(L.objectBytes),
      '--wall-seconds',
      String(L.wallMs / 1000),
      '--',
      ...cc1,
    ];
    const { command, args } = await sandboxCommand(serverArgs, {
      includeDir: o.includeDir,
      server: {
        binary: o.binary,
        readOnly: [o.warmUpFile],
        socketDir: SOCKET_DIR,
      },
    });
    let ready: (ok: boolean) => void = () => {};
    const readyLine = new Promise<boolean>((resolve) => (ready = resolve));
    let stdout = '';
    const proc = startProcess(command, args, {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      maxOutputBytes: 64 * 1024,
      unref: true,
      onStdout: (chunk) => {
        stdout += chunk.toString('utf8');
        if (/^ready \d+$/m.test(stdout)) ready(true);
      },
    });
    void proc.result.then(() => ready(false));
    const timer = setTimeout(() => ready(false), START_TIMEOUT_MS);
    let ok = await readyLine;
    clearTimeout(timer);
    let socketDir = -1;
    let problem = '';
    if (ok) {
      try {
        socketDir = openSocketDir(proc.pid ?? 0);
      } catch (e) {
        ok = false;
        problem = `cannot reach its socket: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    if (!ok) {
      proc.kill();
      const res = await proc.result;
      const why = problem || res.stderr.toString('utf8').trim() || `exit ${res.code ?? res.signal}`;
      throw new Error(`the compile server did not start: ${why}`);
    }
    return new CompileServer(proc, socketDir);
  }

  /** The sandbox's process id (bubblewrap): killing it takes the whole server down. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  stop(): void {
    this.exited = true;
    this.child.kill();
    if (this.socketDir >= 0) closeSync(this.socketDir);
    this.socketDir = -1;
  }

  compile(source: string, signal?: AbortSignal): Promise<RawCompile> {
    if (this.exited)
      return Promise.reject(new CompileServerUnavailable('the compile server exited'));
    return new Promise<RawCompile>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const socket = connect(this.socketPath);
      const finish = (outcome: () => RawCompile) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        try {
          resolve(outcome());
        } catch (e) {
          reject(e);
        }
      };
      const fail = (why: string) =>
        finish(() => {
          throw new CompileServerUnavailable(why);
        });
      const onAbort = () =>
        finish(() => ({
          object: Buffer.alloc(0),
          stderr: '',
          code: null,
          objectTooBig: false,
          timedOut: false,
          aborted: true,
        }));
      const timer = setTimeout(() => fail('no answer in time'), CLIENT_TIMEOUT_MS);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) return fail('answer larger than any compile can produce');
        chunks.push(chunk);
      });
      socket.on('error', (e) => fail(e.message));
      socket.on('end', () => finish(() => decodeAnswer(Buffer.concat(chunks))));
      socket.end(source);
    });
  }
}
