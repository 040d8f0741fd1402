// The values the context flow (context-flow.ts) tracks: what a register or stack slot may hold,
// how two paths' values join, the program's stack as byte-precise slots (what may hold an address,
// and what was certainly written), and the ALU instructions, which only change registers.
import type { MapSizes } from './flow-types.ts';
import { ATOMIC, CLS, cls, op, OP, SRC_X } from './insns.ts';
import type { Insn } from './insns.ts';

/** What a register (or a whole stack slot) may hold: every flag is a possibility. */
export interface Val {
  /** A plain number (NULL included). */
  readonly num: boolean;
  /** A number made from bits of a kernel address. */
  readonly leak: boolean;
  /** The context pointer. */
  readonly ctx: boolean;
  /** A pointer into this frame's stack: known offset from r10, unknown ('top'), or not (null). */
  readonly fp: number | 'top' | null;
  /** A pointer into a caller's stack. */
  readonly foreign: boolean;
  /** Where in the calling function's frame, when it is certainly there (offset from its r10). */
  readonly callerAt?: number;
  /** A pointer to other kernel memory: a map, a map value, a ring-buffer record, a global. */
  readonly mem: boolean;
  /** The map this certainly is (a map pointer from a relocated 64-bit load). */
  readonly map?: MapSizes;
  /** The value, when it is certainly this constant. */
  readonly known?: number;
}

/** A stack slot (8 bytes at an 8-aligned offset from r10) that may hold an address. */
export interface Slot {
  /** What an 8-byte load of the whole slot gives. */
  readonly val: Val;
  /** Bytes of the slot (bit i = byte i) that may hold bits of an address. */
  readonly mask: number;
}

export interface State {
  regs: Val[];
  /** Slots that may hold an address, by offset from r10; any other slot holds plain numbers. */
  slots: Map<number, Slot>;
  /**
   * Bytes certainly written on every path, as byte masks by slot (bit i = byte i): any other byte
   * of the frame may still hold what the kernel left on its stack.
   */
  written: Map<number, number>;
}

export const NUM: Val = {
  num: true,
  leak: false,
  ctx: false,
  fp: null,
  foreign: false,
  mem: false,
};
export const CTX: Val = { ...NUM, num: false, ctx: true };
export const MAX_STEPS = 200_000;
export const MAX_DEPTH = 8;

/** Helpers that read memory the program points them to: which argument, and how many bytes. */
export const HELPER_READS: Record<number, { ptr: number; size: number | 'key' | 'value' }[]> = {
  1: [{ ptr: 2, size: 'key' }], // map_lookup_elem
  2: [
    { ptr: 2, size: 'key' },
    { ptr: 3, size: 'value' },
  ], // map_update_elem
  3: [{ ptr: 2, size: 'key' }], // map_delete_elem
  87: [{ ptr: 2, size: 'value' }], // map_push_elem
  130: [{ ptr: 2, size: 3 }], // ringbuf_output
  165: [{ ptr: 4, size: 5 }], // snprintf: the argument array
  182: [{ ptr: 1, size: 2 }], // strncmp
  195: [{ ptr: 2, size: 'key' }], // map_lookup_percpu_elem
};
/**
 * Helpers that certainly fill memory the program points them to: which argument, and how many
 * bytes (a failed probe read zeroes them; bpf_get_current_comm pads with zeros). The string
 * writers, bpf_probe_read_user_str and bpf_snprintf, are not: they stop at the NUL (on 6.18 the
 * string read also zeroes the rest of the 8-byte word holding it) and leave the bytes after it as
 * they were, so their buffer must be written before (as `= {}` does).
 */
export const HELPER_WRITES: Record<number, { ptr: number; size: number | 'value' }[]> = {
  16: [{ ptr: 1, size: 2 }], // get_current_comm
  88: [{ ptr: 2, size: 'value' }], // map_pop_elem
  89: [{ ptr: 2, size: 'value' }], // map_peek_elem
  112: [{ ptr: 1, size: 2 }], // probe_read_user
};
/** Helpers that return a pointer (or NULL): a map value, a ring-buffer record. */
export const RETURNS_POINTER = new Set([1, 131, 195]);

export const ATOMIC_RMW = new Set([
  ATOMIC.ADD,
  ATOMIC.ADD | ATOMIC.FETCH,
  ATOMIC.OR,
  ATOMIC.OR | ATOMIC.FETCH,
  ATOMIC.AND,
  ATOMIC.AND | ATOMIC.FETCH,
  ATOMIC.XOR,
  ATOMIC.XOR | ATOMIC.FETCH,
  ATOMIC.XCHG,
  ATOMIC.CMPXCHG,
]);

export const isAddr = (v: Val): boolean => v.ctx || v.fp !== null || v.foreign || v.mem;
export const tainted = (v: Val): boolean => isAddr(v) || v.leak;
/** Certainly a pointer into this frame's stack, whatever the path. */
export const onlyStack = (v: Val): boolean =>
  v.fp !== null && !v.num && !v.leak && !v.ctx && !v.foreign && !v.mem;
export const konst = (k: number): Val => ({ ...NUM, known: k });
/** The number an instruction makes out of `v` (a truncation, a negation, a product …). */
export const numberFrom = (...vs: Val[]): Val => ({ ...NUM, leak: vs.some(tainted) });

export function joinFp(a: Val['fp'], b: Val['fp']): Val['fp'] {
  if (a === null) return b;
  if (b === null) return a;
  return a === b ? a : 'top';
}

export function joinVal(a: Val, b: Val): Val {
  return {
    num: a.num || b.num,
    leak: a.leak || b.leak,
    ctx: a.ctx || b.ctx,
    fp: joinFp(a.fp, b.fp),
    foreign: a.foreign || b.foreign,
    mem: a.mem || b.mem,
    ...(a.map && a.map === b.map ? { map: a.map } : {}),
    ...(a.known !== undefined && a.known === b.known ? { known: a.known } : {}),
    ...(a.callerAt !== undefined && a.callerAt === b.callerAt ? { callerAt: a.callerAt } : {}),
  };
}

export function sameVal(a: Val, b: Val): boolean {
  return (
    a.num === b.num &&
    a.leak === b.leak &&
    a.ctx === b.ctx &&
    a.fp === b.fp &&
    a.foreign === b.foreign &&
    a.mem === b.mem &&
    a.map === b.map &&
    a.known === b.known &&
    a.callerAt === b.callerAt
  );
}

/**
 * A copy to change. Values and slots are never changed once made (their fields are readonly), so
 * states share them and only the register array and the two maps are copied: the flow clones a
 * state at every instruction, and copying every value made the static checks twice as slow.
 */
export function cloneState(s: State): State {
  return { regs: s.regs.slice(), slots: new Map(s.slots), written: new Map(s.written) };
}

export const EMPTY_SLOT: Slot = { val: NUM, mask: 0 };

export function joinSlot(a: Slot, b: Slot): Slot {
  return { val: joinVal(a.val, b.val), mask: a.mask | b.mask };
}

/** Joins `b` into `a`; true when `a` changed. */
export function joinInto(a: State, b: State): boolean {
  let changed = false;
  for (let r = 0; r < 11; r++) {
    const j = joinVal(a.regs[r], b.regs[r]);
    if (!sameVal(j, a.regs[r])) {
      a.regs[r] = j;
      changed = true;
    }
  }
  for (const k of new Set([...a.slots.keys(), ...b.slots.keys()])) {
    const old = a.slots.get(k) ?? EMPTY_SLOT;
    const j = joinSlot(old, b.slots.get(k) ?? EMPTY_SLOT);
    if (j.mask !== old.mask || !sameVal(j.val, old.val)) {
      a.slots.set(k, j);
      changed = true;
    }
  }
  // Written is a must: a byte stays written only if it was on both paths.
  for (const [k, m] of a.written) {
    const j = m & (b.written.get(k) ?? 0);
    if (j !== m) {
      if (j) a.written.set(k, j);
      else a.written.delete(k);
      changed = true;
    }
  }
  return changed;
}

/** Byte masks per slot of the bytes [at, at + size) of the stack. */
export function slotBytes(at: number, size: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let b = at; b < at + size; b++) {
    const key = Math.floor(b / 8) * 8;
    out.set(key, (out.get(key) ?? 0) | (1 << (b - key)));
  }
  return out;
}

export function readStack(s: State, at: number, size: number): Val {
  if (size === 8 && at % 8 === 0) {
    const slot = s.slots.get(at);
    return slot ? { ...slot.val } : { ...NUM };
  }
  let leak = false;
  for (const [key, m] of slotBytes(at, size)) leak ||= ((s.slots.get(key)?.mask ?? 0) & m) !== 0;
  return { ...NUM, leak };
}

/** Any 8-byte (or smaller) load from somewhere in this frame's stack. */
export function readAnywhere(s: State, size: number): Val {
  let out: Val = { ...NUM };
  for (const slot of s.slots.values())
    out = size === 8 ? joinVal(out, slot.val) : { ...out, leak: out.leak || slot.mask !== 0 };
  return out;
}

export function stackHoldsAddress(s: State, at: number, size: number): boolean {
  for (const [key, m] of slotBytes(at, size))
    if (((s.slots.get(key)?.mask ?? 0) & m) !== 0) return true;
  return false;
}

/** Marks the bytes [at, at + size) of the frame as certainly written. */
export function markWritten(s: State, at: number, size: number): void {
  for (const [key, m] of slotBytes(at, size)) s.written.set(key, (s.written.get(key) ?? 0) | m);
}

/** Whether any byte of [at, at + size) may never have been written on some path. */
export function unwritten(written: Map<number, number>, at: number, size: number): boolean {
  for (const [key, m] of slotBytes(at, size)) if (((written.get(key) ?? 0) & m) !== m) return true;
  return false;
}

/** `strong`: the store certainly lands here, so it replaces what the bytes held. */
export function writeStack(s: State, at: number, size: number, v: Val, strong: boolean): void {
  if (strong) markWritten(s, at, size);
  const whole = size === 8 && at % 8 === 0;
  for (const [key, m] of slotBytes(at, size)) {
    const old = s.slots.get(key) ?? EMPTY_SLOT;
    let next: Slot;
    if (whole) next = tainted(v) ? { val: { ...v }, mask: 0xff } : EMPTY_SLOT;
    else {
      // Part of a slot: the rest keeps its bytes, so what the slot held is no longer a pointer.
      const mask = (old.mask & ~m) | (tainted(v) ? m : 0);
      next = mask ? { val: { ...NUM, leak: true }, mask } : EMPTY_SLOT;
    }
    if (!strong) next = joinSlot(old, next);
    if (next.mask === 0 && !tainted(next.val)) s.slots.delete(key);
    else s.slots.set(key, next);
  }
}

/** A pointer moved by a number: the same kind of pointer, at a known offset only if both were. */
export function moved(p: Val, by: number | undefined): Val {
  const fp = typeof p.fp === 'number' ? (by === undefined ? 'top' : p.fp + by) : p.fp;
  return {
    num: p.num,
    leak: p.leak,
    ctx: p.ctx,
    fp,
    foreign: p.foreign,
    mem: p.mem,
    ...(p.callerAt !== undefined && by !== undefined ? { callerAt: p.callerAt + by } : {}),
  };
}

/**
 * Reports a refusal and answers false. A function of its own, not a closure made per instruction:
 * run through tsx, every closure bound to a name also gets its name set on creation.
 */
function refused(refuse: (code: string, message: string) => void, code: string, message: string) {
  refuse(code, message);
  return false;
}

/** An ALU instruction: what its destination register may hold after it; false when refused. */
export function alu(
  insn: Insn,
  s: State,
  refuse: (code: string, message: string) => void,
): boolean {
  const R = s.regs;
  const o = op(insn.code);
  const wide = cls(insn.code) === CLS.ALU64;
  const fromReg = (insn.code & SRC_X) !== 0;
  if (o > OP.END) return refused(refuse, 'static/bad-insn', 'uses an unknown instruction');
  if (insn.dst === 10) return refused(refuse, 'static/bad-insn', 'writes the frame pointer');
  const dst = R[insn.dst];
  const src = fromReg ? R[insn.src] : konst(insn.imm);
  if (o === OP.MOV) {
    // A plain 64-bit copy keeps what the value is; a 32-bit or sign-extending one makes a number.
    const copy = wide && insn.off === 0;
    if (!fromReg) R[insn.dst] = copy ? konst(insn.imm) : konst(insn.imm >>> 0);
    else if (src.ctx && !copy)
      return refused(
        refuse,
        'static/context-flow',
        'does arithmetic on the context pointer: the context check cannot follow it',
      );
    else R[insn.dst] = copy ? { ...src } : numberFrom(src);
    return true;
  }
  if (src.ctx || dst.ctx)
    return refused(
      refuse,
      'static/context-flow',
      'does arithmetic on the context pointer: the context check cannot follow it',
    );
  if (o === OP.NEG || o === OP.END) {
    R[insn.dst] = numberFrom(dst);
    return true;
  }
  if (wide && (o === OP.ADD || o === OP.SUB)) {
    const dp = isAddr(dst);
    const sp = isAddr(src);
    if (dp !== sp && (dp ? src.leak : dst.leak)) {
      return refused(
        refuse,
        'static/address-leak',
        'moves a pointer by a number made from a kernel address',
      );
    }
    if (dp && !sp)
      R[insn.dst] = moved(
        dst,
        o === OP.ADD ? src.known : src.known === undefined ? undefined : -src.known,
      );
    else if (sp && !dp && o === OP.ADD) R[insn.dst] = moved(src, dst.known);
    else if (dp && sp && o === OP.SUB && onlyStack(dst) && onlyStack(src)) {
      // Two places in the same frame: their distance is no address.
      R[insn.dst] =
        typeof dst.fp === 'number' && typeof src.fp === 'number'
          ? konst(dst.fp - src.fp)
          : { ...NUM };
    } else R[insn.dst] = numberFrom(dst, src);
    return true;
  }
  R[insn.dst] = numberFrom(dst, src);
  return true;
}
