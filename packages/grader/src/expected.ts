// What a check expects, resolved against one scenario's observations. The description says
// where the value comes from, never the value itself, so a failure message cannot hand out the
// secret the student was meant to capture.
import type { Expected, SyscallSelector } from '@ebpf-lab/exercises';
import type { ScenarioObservation } from '@ebpf-lab/protocol';
import { bytesOf } from './observed.ts';

export type Resolved =
  { ok: true; bytes: Buffer; describe: string } | { ok: false; problem: string };

function pickCall(obs: ScenarioObservation, sel: SyscallSelector) {
  const matches = obs.syscalls.filter((s) => {
    if (s.name !== sel.syscall) return false;
    if (sel.argMask) {
      const [i, mask] = sel.argMask;
      if (s.args[i] === undefined || (BigInt(s.args[i]) & BigInt(mask)) !== BigInt(mask))
        return false;
    }
    if (sel.ret) {
      if (s.ret === undefined) return false;
      const r = BigInt(s.ret);
      if (sel.ret === 'zero' && r !== 0n) return false;
      if (sel.ret === 'positive' && r <= 0n) return false;
      if (sel.ret === 'negative' && r >= 0n) return false;
      if (sel.ret === 'non-negative' && r < 0n) return false;
    }
    return true;
  });
  return sel.pick === 'last' ? matches.at(-1) : matches[0];
}

function fieldOf(call: ScenarioObservation['syscalls'][number], field: string): string | undefined {
  if (field === 'path') return call.path;
  if (field === 'ret') return call.ret;
  if (field === 'pid') return String(call.pid);
  if (field === 'tid') return String(call.tid);
  const m = /^arg([0-5])$/.exec(field);
  return m ? call.args[Number(m[1])] : undefined;
}

export function describeSelector(sel: SyscallSelector): string {
  const which = sel.pick === 'last' ? 'last' : 'first';
  const what = sel.field === 'path' ? 'path' : sel.field === 'ret' ? 'return value' : sel.field;
  return `the ${what} of the target's ${which} ${sel.syscall}() call${sel.ret ? ` that returned ${sel.ret}` : ''}`;
}

/** The expected bytes (or, for numbers, the decimal text) for one scenario. */
export function resolveExpected(expect: Expected, obs: ScenarioObservation): Resolved {
  if ('file' in expect) {
    const f = obs.planted.find((p) => p.path === expect.file);
    if (!f) return { ok: false, problem: `the scenario planted no ${expect.file} (exercise bug)` };
    return { ok: true, bytes: bytesOf(f.hex), describe: `the content of ${expect.file}` };
  }
  if ('literal' in expect) {
    return {
      ok: true,
      bytes: Buffer.from(expect.literal, 'utf8'),
      describe: `the text "${expect.literal}"`,
    };
  }
  if ('stdout' in expect) {
    const m = new RegExp(expect.stdout).exec(obs.target?.stdout ?? '');
    if (!m || m[1] === undefined) {
      return {
        ok: false,
        problem:
          'the target did not report the value this check needs (it may have been stopped early)',
      };
    }
    return {
      ok: true,
      bytes: Buffer.from(m[1], 'utf8'),
      describe: expect.describe ?? 'the value the target used',
    };
  }
  const call = pickCall(obs, expect.fromSyscall);
  const value = call && fieldOf(call, expect.fromSyscall.field);
  if (value === undefined) {
    return {
      ok: false,
      problem: `the target made no matching ${expect.fromSyscall.syscall}() call (it may have been stopped early)`,
    };
  }
  return {
    ok: true,
    bytes: Buffer.from(value, 'utf8'),
    describe: describeSelector(expect.fromSyscall),
  };
}
