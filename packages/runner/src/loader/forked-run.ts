// A run forked by the resident process (native/loader/forked-runs.c) instead of a loader started
// from Node: starting a process from Node forks the whole Node process and blocks its event loop
// (~15-20 ms here), a fork of the small resident process costs well under a millisecond. The
// connection carries the config one way, then "run PID\n", the loader's stdout and, after its
// exit, a NUL byte and how it exited (code, signal, the end of its stderr) on one line the other
// way. The child stays unreaped until we close the connection after that line: its process group
// can be killed by pid until then without the pid ever being another process's.
// Seen from runLoader it is a process like any other: a pid, a kill and a result.
import { connect } from 'node:net';
import type { ProcessResult, RunningProcess } from '../process.ts';

export type LoaderProcess = Pick<RunningProcess, 'pid' | 'kill' | 'result'>;

export interface ForkedRunOptions {
  /** Kills the run after this long; `timedOut` is then set. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes of stdout kept in the result (all of it still goes to onStdout). */
  maxOutputBytes: number;
  onStdout: (chunk: Buffer) => void;
}

const HEADER_BYTES = 512;
const STATUS_BYTES = 1024 * 1024;
/** A killed child's exit reaches us through the resident process; this long at most. */
const KILL_CONFIRM_MS = 2_000;
/** A resident process that has not said whether it took the run by then (hung) is given up. */
const ANSWER_TIMEOUT_MS = 5_000;

interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function parseStatus(text: string): ExitStatus | undefined {
  try {
    const v = JSON.parse(text) as Partial<ExitStatus>;
    const code = typeof v.code === 'number' ? v.code : null;
    const signal = typeof v.signal === 'string' ? (v.signal as NodeJS.Signals) : null;
    return { code, signal, stderr: typeof v.stderr === 'string' ? v.stderr : '' };
  } catch {
    return undefined;
  }
}

/**
 * Why no child was started: the resident process answered that it is busy (its dispatcher still
 * serves), or it could not be reached or did not answer (nothing of it can be relied on).
 */
export type NotForked = 'busy' | 'unavailable';

/**
 * Asks the resident process on runSocket to fork the run. Resolves once a child runs it, or
 * with why no child was started: the caller then starts the loader itself, and nothing of the
 * run has happened yet.
 */
export function startForkedRun(
  runSocket: string,
  input: string,
  options: ForkedRunOptions,
): Promise<LoaderProcess | NotForked> {
  const started = performance.now();
  const socket = connect({ path: runSocket, allowHalfOpen: true });
  let header = Buffer.alloc(0);
  let pid: number | undefined;
  let stdout: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  let status: Buffer[] | undefined;
  let statusBytes = 0;
  let timedOut = false;
  let aborted = false;
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  let confirmKill: NodeJS.Timeout | undefined;
  let resolveStart: (p: LoaderProcess | NotForked) => void = () => {};
  let busy = false;
  let resolveResult: (r: ProcessResult) => void = () => {};
  const startedRun = new Promise<LoaderProcess | NotForked>((r) => (resolveStart = r));
  const result = new Promise<ProcessResult>((r) => (resolveResult = r));

  const kill = () => {
    // once its exit status is coming the child has ended: nothing is left to kill
    if (pid === undefined || killed || socket.closed || status !== undefined) return;
    killed = true;
    // the child leads its own process group; the resident process reports its end
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already, its status is on the way
    }
    // closing the connection makes the resident process kill it too, should the kill miss
    confirmKill = setTimeout(() => socket.destroy(), KILL_CONFIRM_MS);
  };
  const onAbort = () => {
    aborted = true;
    kill();
  };

  /** The loader's stdout up to the NUL byte, then its exit status. */
  const keep = (data: Buffer) => {
    let chunk = data;
    if (status === undefined) {
      const zero = chunk.indexOf(0);
      const out = zero < 0 ? chunk : chunk.subarray(0, zero);
      if (out.length > 0) {
        const room = options.maxOutputBytes - kept;
        if (out.length > room) truncated = true;
        if (room > 0) {
          stdout.push(out.subarray(0, room));
          kept += Math.min(room, out.length);
        }
        options.onStdout(out);
      }
      if (zero < 0) return;
      status = [];
      chunk = chunk.subarray(zero + 1);
    }
    if (statusBytes + chunk.length <= STATUS_BYTES) status.push(chunk);
    statusBytes += chunk.length;
    // the status line is whole: closing lets the resident process reap the child
    if (chunk.includes(10)) socket.destroy();
  };

  const startRun = (newPid: number) => {
    clearTimeout(answerTimer);
    pid = newPid;
    if (options.timeoutMs !== undefined)
      timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    resolveStart({ pid, kill: () => kill(), result });
  };

  // Given up before the answer, the connection's end makes the resident process kill any child.
  const answerTimer = setTimeout(() => socket.destroy(), ANSWER_TIMEOUT_MS);
  socket.on('connect', () => socket.end(input));
  socket.on('data', (chunk: Buffer) => {
    if (pid !== undefined) return keep(chunk);
    header = Buffer.concat([header, chunk]);
    const nl = header.indexOf(10);
    if (nl < 0) {
      if (header.length > HEADER_BYTES) socket.destroy();
      return;
    }
    const m = /^run (\d+)$/.exec(header.toString('utf8', 0, nl));
    if (!m) {
      // "busy …": no child was started
      busy = header.subarray(0, 5).toString('latin1') === 'busy ';
      socket.destroy();
      return;
    }
    startRun(Number(m[1]));
    const rest = header.subarray(nl + 1);
    header = Buffer.alloc(0);
    if (rest.length > 0) keep(rest);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    clearTimeout(answerTimer);
    if (timer) clearTimeout(timer);
    if (confirmKill) clearTimeout(confirmKill);
    options.signal?.removeEventListener('abort', onAbort);
    if (pid === undefined) return resolveStart(busy ? 'busy' : 'unavailable');
    const exit = status ? parseStatus(Buffer.concat(status).toString('utf8')) : undefined;
    resolveResult({
      code: exit?.code ?? null,
      signal: exit?.signal ?? (killed ? 'SIGKILL' : null),
      stdout: Buffer.concat(stdout),
      stderr: Buffer.from(
        exit ? exit.stderr : killed ? '' : 'the resident process ended during the run',
        'utf8',
      ),
      stdoutTruncated: truncated,
      stderrTruncated: false,
      timedOut,
      aborted,
      durationMs: performance.now() - started,
    });
    stdout = [];
  });
  return startedRun;
}
