// The compiler's child process, through the runner's one process module (../process.ts), plus
// what compiling needs on top: stop clang as soon as the object passes its cap (the file-size
// limit does not apply to a pipe) instead of reading a runaway object to the end.
import { startProcess } from '../process.ts';
import type { ProcessResult } from '../process.ts';

export type { ProcessResult };

export interface ProcessRequest {
  command: string;
  args: string[];
  stdin: Buffer | string;
  timeoutMs: number;
  /** Bytes of stdout allowed; past this the process group is killed and `stdoutTruncated` set. */
  maxStdoutBytes: number;
  /** Bytes of stderr kept (the rest dropped, `stderrTruncated` set); defaults to the stdout cap. */
  maxStderrBytes?: number;
  signal?: AbortSignal;
}

/** Bytes of the end of stderr kept apart from its capped start: clang's count of its messages. */
const STDERR_TAIL_BYTES = 1024;

export interface CompileProcessResult extends ProcessResult {
  /** The last bytes of stderr, whatever was dropped before them. */
  stderrTail: string;
}

export async function runCompilerProcess(req: ProcessRequest): Promise<CompileProcessResult> {
  let seen = 0;
  let over = false;
  let tail = Buffer.alloc(0);
  const proc = startProcess(req.command, req.args, {
    // Nothing of the server's environment reaches the compiler (bwrap clears it again).
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    input: req.stdin,
    timeoutMs: req.timeoutMs,
    maxOutputBytes: req.maxStdoutBytes,
    maxStderrBytes: req.maxStderrBytes,
    signal: req.signal,
    onStderr: (chunk) => {
      tail = Buffer.concat([tail, chunk.subarray(-STDERR_TAIL_BYTES)]).subarray(-STDERR_TAIL_BYTES);
    },
    onStdout: (chunk) => {
      seen += chunk.length;
      if (seen > req.maxStdoutBytes && !over) {
        over = true;
        proc.kill();
      }
    },
  });
  const res = await proc.result;
  if (res.spawnError) throw new Error(`cannot start ${req.command}: ${res.spawnError}`);
  return {
    ...res,
    stdoutTruncated: res.stdoutTruncated || over,
    stderrTail: tail.toString('utf8'),
  };
}
