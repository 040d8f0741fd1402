// Reading a scenario's observations: the target's ground truth (which fd was which file when),
// and where each submitted record came from. Everything here is pure and kernel-free.
import type { ScenarioObservation, SubmitRecord, SyscallRecord } from '@ebpf-lab/protocol';

export const bytesOf = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** A short, printable rendering of bytes the student submitted (never of expected secrets). */
export function preview(buf: Buffer, max = 24): string {
  const text = [...buf.subarray(0, max)]
    .map((b) =>
      b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c
        ? String.fromCharCode(b)
        : `\\x${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
  return `"${text}"${buf.length > max ? '…' : ''}`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const ts = (s: string | undefined): bigint | undefined => (s === undefined ? undefined : BigInt(s));

/** A syscall with what the file table said at the time: the path behind its fd argument. */
export interface TimedSyscall extends SyscallRecord {
  index: number;
  /** For read/close/…: the path the fd in args[0] referred to when the call was made. */
  fdPath?: string;
}

/** What the timeline names an fd that socket() returned, where a file would have its path. */
export const SOCKET_FD = 'a socket';

const FD_SYSCALLS = new Set([
  'read',
  'write',
  'sendto',
  'close',
  'pread64',
  'lseek',
  'connect',
  'dup',
  'dup2',
  'dup3',
  'fcntl',
]);
const DUP_SYSCALLS = new Set(['dup', 'dup2', 'dup3']);
/** fcntl commands that duplicate an fd, as <fcntl.h> numbers them. */
const F_DUPFD = 0n;
const F_DUPFD_CLOEXEC = 1030n;

const fdArg = (arg: string) => Number(BigInt.asIntN(32, BigInt(arg)));

/** True when the call made its return value a second name for the fd in args[0]. */
function duplicates(s: SyscallRecord): boolean {
  if (DUP_SYSCALLS.has(s.name)) return s.args.length > 0;
  if (s.name !== 'fcntl' || s.args.length < 2) return false;
  const cmd = BigInt(s.args[1]);
  return cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC;
}

/**
 * Replays the target's opens, sockets, dups (dup, dup2, dup3, fcntl F_DUPFD) and closes to know, for each
 * fd-taking call, which file the fd was. The fd table belongs to the process, so it is keyed by
 * pid (tgid), not by thread.
 */
export function timeline(syscalls: SyscallRecord[]): {
  calls: TimedSyscall[];
  openAtEnd: Map<string, string>;
} {
  const table = new Map<string, string>();
  const calls = syscalls.map((s, index) => {
    const call: TimedSyscall = { ...s, index };
    const ret = s.ret === undefined ? undefined : Number(s.ret);
    if (FD_SYSCALLS.has(s.name) && s.args.length > 0) {
      const path = table.get(`${s.pid}:${fdArg(s.args[0])}`);
      if (path !== undefined) call.fdPath = path;
    }
    if (
      (s.name === 'openat' || s.name === 'open') &&
      ret !== undefined &&
      ret >= 0 &&
      s.path !== undefined
    ) {
      table.set(`${s.pid}:${ret}`, s.path);
    } else if (s.name === 'socket' && ret !== undefined && ret >= 0) {
      table.set(`${s.pid}:${ret}`, SOCKET_FD);
    } else if (s.name === 'close' && ret === 0 && s.args.length > 0) {
      table.delete(`${s.pid}:${fdArg(s.args[0])}`);
    } else if (duplicates(s) && ret !== undefined && ret >= 0) {
      // dup2/dup3 onto an open fd close it first: the new number now names the old fd's file.
      const from = table.get(`${s.pid}:${fdArg(s.args[0])}`);
      if (from !== undefined) table.set(`${s.pid}:${ret}`, from);
      else table.delete(`${s.pid}:${ret}`);
    }
    return call;
  });
  return { calls, openAtEnd: table };
}

/** The call the thread was in (or had just left) when it submitted: its latest call begun before. */
export function callAround(
  calls: TimedSyscall[],
  rec: { tid: number; ts: string },
): TimedSyscall | undefined {
  const at = BigInt(rec.ts);
  let best: TimedSyscall | undefined;
  for (const c of calls) {
    const start = ts(c.enterTs) ?? ts(c.exitTs);
    if (c.tid !== rec.tid || start === undefined || start > at) continue;
    best = c;
  }
  return best;
}

export const byteRecords = (obs: ScenarioObservation): SubmitRecord[] =>
  obs.submissions.filter((s) => s.kind === 'bytes' || s.kind === 'user');

/** Successful reads of `path` in this scenario: how many calls and how many bytes in total. */
export function readsOf(
  calls: TimedSyscall[],
  path: string,
): { calls: number; bytes: number; fds: Set<number> } {
  let n = 0;
  let bytes = 0;
  const fds = new Set<number>();
  for (const c of calls) {
    if (c.name !== 'read' || c.fdPath !== path) continue;
    const ret = Number(c.ret ?? '-1');
    if (ret <= 0) continue;
    n++;
    bytes += ret;
    fds.add(Number(c.args[0]));
  }
  return { calls: n, bytes, fds };
}

/** One sentence on how the target ended, when it did not end normally. */
export function targetTrouble(obs: ScenarioObservation): string | undefined {
  const t = obs.target;
  const parts: string[] = [];
  if (t?.timedOut) parts.push('the target was stopped at the time limit');
  else if (t?.signal) parts.push(`the target was killed by ${t.signal}`);
  else if (t && t.code !== 0 && t.code !== null)
    parts.push(`the target exited with code ${t.code}`);
  parts.push(...obs.limits);
  return parts.length ? `Note: ${parts.join('; ')}.` : undefined;
}
