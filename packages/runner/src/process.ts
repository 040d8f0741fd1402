// The one place the lab starts child processes: the compiler and the compile server, the
// loader, clangd and the health probes, for the runner and the server alike. Every child gets
// its own process group so a timeout or an abort kills everything it started, and its output is
// capped (with a flag saying so) so a runaway child cannot fill the server's memory. Nothing here
// blocks the event loop: there is no synchronous spawn.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
  /** Kills the process group after this long; `timedOut` is then set. */
  timeoutMs?: number;
  /** Bytes kept per stream (stdout, stderr); the rest is dropped and `truncated` set. */
  maxOutputBytes?: number;
  /** Bytes of stderr kept, when it needs another cap than stdout. */
  maxStderrBytes?: number;
  signal?: AbortSignal;
  /** Streams stdout as it comes (also kept in the result, up to the cap). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** A long-lived child (the compile server) that must not keep Node running on its own. */
  unref?: boolean;
  /** Keeps stdin open for a conversation (clangd's LSP); `stdin` is then the child's. */
  keepStdinOpen?: boolean;
  /** Written to the child's fds 3, 4, … and closed: files a jail reads (`bwrap --file`). */
  extraInputs?: (string | Buffer)[];
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  /** The process could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: string;
  durationMs: number;
}

export interface RunningProcess {
  pid: number | undefined;
  /** The child's stdin, when kept open (`keepStdinOpen`). */
  stdin: Writable | null;
  /** Settles when the process has exited (or could not start), before its streams close. */
  exited: Promise<void>;
  /** True until the process exits. */
  alive(): boolean;
  /** How it exited: both null while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null };
  /** Settles when the process has exited and its streams are closed. Never rejects. */
  result: Promise<ProcessResult>;
  /** Kills the whole process group (SIGKILL unless told otherwise). */
  kill(signal?: NodeJS.Signals): void;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  value(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function startProcess(
  command: string,
  args: string[],
  options: ProcessOptions = {},
): RunningProcess {
  const started = performance.now();
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const out = new CappedBuffer(cap);
  const err = new CappedBuffer(options.maxStderrBytes ?? cap);
  let timedOut = false;
  let aborted = false;

  // detached: the child leads a new process group, so killing -pid reaches its children too.
  const extra = options.extraInputs ?? [];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe', ...extra.map(() => 'pipe' as const)],
    detached: true,
  });

  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };

  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
  const onAbort = () => {
    aborted = true;
    kill();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  if (options.unref) {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
  }
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    options.onStdout?.(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    options.onStderr?.(chunk);
  });
  // A child that exits before reading its input, or dies mid-conversation, resets its pipes:
  // that is its exit, seen in the result, not an exception.
  for (const stream of child.stdio) stream?.on('error', () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  else if (!options.keepStdinOpen) child.stdin.end();
  extra.forEach((data, i) => (child.stdio[3 + i] as Writable | null)?.end(data));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  const result = new Promise<ProcessResult>((resolve) => {
    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code,
        signal,
        stdout: out.value(),
        stderr: err.value(),
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
        timedOut,
        aborted,
        spawnError,
        durationMs: performance.now() - started,
      });
    });
  });

  return {
    pid: child.pid,
    stdin: options.keepStdinOpen ? child.stdin : null,
    exited,
    alive: () => child.pid !== undefined && child.exitCode === null && child.signalCode === null,
    exitStatus: () => ({ code: child.exitCode, signal: child.signalCode }),
    result,
    kill,
  };
}

export function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  return startProcess(command, args, options).result;
}
