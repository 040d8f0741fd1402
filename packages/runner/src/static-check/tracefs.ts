// Each tracepoint's record size, from its `format` file under tracefs: the end of its last
// field (and a uprobe's, the size of the registers). It is exactly how far a directly attached program may read into its context, and so
// the bound the context check enforces (sys_enter_openat 48, sys_enter_read 40, sys_exit_* 24).
import { existsSync, readFileSync } from 'node:fs';
import { runCompilerProcess } from '../compile/compiler-process.ts';

const TRACEFS = '/sys/kernel/tracing';
const cache = new Map<string, number>();

/** `tracepoint/syscalls/sys_enter_read` or `tp/syscalls/sys_enter_read` → `syscalls/sys_enter_read`. */
export function tracepointOf(section: string): string | undefined {
  const m = /^(?:tracepoint|tp)\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)$/.exec(section);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** `uprobe/<function>`, `uretprobe/<function>`, `uprobe/libc.so.6:<function>`: the function. */
export function uprobeOf(
  section: string,
): { ret: boolean; library?: string; fn: string } | undefined {
  const m = /^(uprobe|uretprobe)\/(?:(libc\.so\.6):)?([A-Za-z_][A-Za-z0-9_]*)$/.exec(section);
  return m ? { ret: m[1] === 'uretprobe', library: m[2], fn: m[3] } : undefined;
}

/**
 * A uprobe program's context is the thread's registers, `struct pt_regs`: 21 eight-byte registers
 * on x86-64. The verifier bounds reads to it at load for this program type; the static bound is
 * the same, so a read past it is refused with the line named.
 */
export const PT_REGS_BYTES = 168;

/** The end of the last field of a `format` file. */
export function recordSize(format: string): number {
  let end = 0;
  for (const m of format.matchAll(/offset:(\d+);\s*size:(\d+);/g)) {
    end = Math.max(end, Number(m[1]) + Number(m[2]));
  }
  if (end === 0) throw new Error('the tracepoint format lists no fields');
  return end;
}

function tracefsMounted(): string | undefined {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n');
  for (const line of mounts) {
    const [, dir, type] = line.split(' ');
    if (type === 'tracefs') return dir;
  }
  return undefined;
}

async function tracefsDir(): Promise<string> {
  const found = tracefsMounted();
  if (found) return found;
  const res = await runCompilerProcess({
    command: 'mount',
    args: ['-t', 'tracefs', 'tracefs', TRACEFS],
    stdin: '',
    timeoutMs: 5000,
    maxStdoutBytes: 4096,
  });
  if (res.code !== 0)
    throw new Error(
      `tracefs is not mounted and mounting it failed: ${res.stderr.toString().trim()}`,
    );
  return TRACEFS;
}

function sizeOf(dir: string, tp: string): number {
  const file = `${dir}/events/${tp}/format`;
  if (!existsSync(file))
    throw new Error(`tracepoint ${tp} does not exist on this kernel (${file})`);
  return recordSize(readFileSync(file, 'utf8'));
}

/**
 * The same, without mounting: for callers that cannot wait. Throws (an infrastructure error,
 * not the student's) when tracefs is not mounted; the set-up mounts it.
 */
export function contextSizesSync(sections: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const section of sections) {
    if (uprobeOf(section)) out[section] = PT_REGS_BYTES;
    const tp = tracepointOf(section);
    if (!tp) continue;
    let size = cache.get(tp);
    if (size === undefined) {
      const dir = tracefsMounted();
      if (!dir)
        throw new Error(`tracefs is not mounted (run npm run setup, or mount it at ${TRACEFS})`);
      size = sizeOf(dir, tp);
      cache.set(tp, size);
    }
    out[section] = size;
  }
  return out;
}

/** Record sizes of the tracepoints behind these sections (cached per process). */
export async function contextSizes(sections: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let dir: string | undefined;
  for (const section of sections) {
    if (uprobeOf(section)) out[section] = PT_REGS_BYTES;
    const tp = tracepointOf(section);
    if (!tp) continue;
    let size = cache.get(tp);
    if (size === undefined) {
      dir ??= await tracefsDir();
      size = sizeOf(dir, tp);
      cache.set(tp, size);
    }
    out[section] = size;
  }
  return out;
}
