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
  signal?: AbortSignal;
}

export async function runProcess(req: ProcessRequest): Promise<ProcessResult> {
  let seen = 0;
  let over = false;
  const proc = startProcess(req.command, req.args, {
    // Nothing of the server's environment reaches the compiler (bwrap clears it again).
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    input: req.stdin,
    timeoutMs: req.timeoutMs,
    maxOutputBytes: req.maxStdoutBytes,
    signal: req.signal,
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
  return { ...res, stdoutTruncated: res.stdoutTruncated || over };
}
