// The compiler's one child process. The runner's process module (src/process.ts, another
// engineer's) will own timeouts and process-group kills for everyone; until it lands this small
// function is the only place here that spawns, so swapping it is a one-file change.
import { spawn } from 'node:child_process';

export interface ProcessRequest {
  command: string;
  args: string[];
  stdin: Buffer | string;
  timeoutMs: number;
  /** Bytes of stdout kept; past this the process is killed and `stdoutTruncated` is set. */
  maxStdoutBytes: number;
  maxStderrBytes: number;
  signal?: AbortSignal;
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
  durationMs: number;
}

export function runProcess(req: ProcessRequest): Promise<ProcessResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // detached: the child leads its own process group, so a kill reaches all of it.
    const child = spawn(req.command, req.args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let stdoutTruncated = false;
    let stderrTruncated = false;
    let timedOut = false;
    let aborted = false;
    let exited = false;

    const killGroup = (): void => {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, req.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutTruncated) return;
      const room = req.maxStdoutBytes - outBytes;
      if (chunk.length > room) {
        out.push(chunk.subarray(0, room));
        outBytes += room;
        stdoutTruncated = true;
        killGroup();
        return;
      }
      out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrTruncated) return;
      const room = req.maxStderrBytes - errBytes;
      if (chunk.length > room) {
        err.push(chunk.subarray(0, room));
        errBytes += room;
        stderrTruncated = true;
        return;
      }
      err.push(chunk);
      errBytes += chunk.length;
    });
    // The child may exit before reading all of stdin (a compile error early on): ignore EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        stdoutTruncated,
        stderrTruncated,
        timedOut,
        aborted,
        durationMs: performance.now() - t0,
      });
    });
    if (req.signal?.aborted) onAbort();
    child.stdin.end(req.stdin);
  });
}
