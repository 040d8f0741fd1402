// A tail-called program skips the kernel's attach-time check of how far it reads into its context,
// and a read past the record oopses the kernel. So before anything is loaded, a forward data-flow
// over each program (registers and stack slots, through bpf-to-bpf calls) finds every
// `*(size *)(ctx + off)`. The verifier forbids arithmetic on the context pointer, so a constant
// offset is all a load can have; whatever this analysis cannot follow is refused rather than
// guessed.
//
// The same flow keeps kernel addresses from the student. The loader runs as root, and for root
// the verifier lets a program turn any pointer into a number and store it in a map or a
// ring-buffer record: the context, the stack, a map value. So every value also says whether it
// may be an address, or a number made from one, and such a value may only ever stay in registers
// and on the program's own stack; storing it anywhere the lab reads back, handing it (or stack
// memory holding it) to a helper, or branching on it is refused.
//
// The verifier also lets root read stack bytes the program never wrote, and hand them to helpers:
// they hold what the kernel left on its stack (addresses, data of earlier system calls). So the
// flow also knows, byte by byte, which bytes of each frame were certainly written on every path,
// and refuses a load of any other byte, or handing a helper that reads memory (a map key or
// value, a ring-buffer record, snprintf's arguments) stack memory that holds one. Clang zeroes
// every local variable (compile/flags.ts), so C code passes; this catches hand-written code.
//
// Everything is a may-analysis over all paths at once: a value records every kind it may be, a
// store only replaces what a stack slot held when its address is certainly that slot, and an
// instruction this file does not model is refused.
import {
  accessSize,
  ATOMIC,
  CLS,
  cls,
  decode,
  isCall,
  isExit,
  isLdImm64,
  JMP,
  MODE,
  mode,
  op,
  OP,
  PSEUDO_CALL,
  PSEUDO_FUNC,
  PSEUDO_KFUNC_CALL,
  SRC_X,
} from './insns.ts';
import type { Insn } from './insns.ts';
import type {
  CodeSection,
  ContextAccess,
  FlowOptions,
  FlowProblem,
  FlowResult,
  HelperCall,
} from './flow-types.ts';
import {
  ATOMIC_RMW,
  alu,
  cloneState,
  CTX,
  HELPER_READS,
  HELPER_WRITES,
  isAddr,
  joinInto,
  joinVal,
  konst,
  markWritten,
  MAX_DEPTH,
  MAX_STEPS,
  NUM,
  onlyStack,
  readAnywhere,
  readStack,
  RETURNS_POINTER,
  stackHoldsAddress,
  tainted,
  unwritten,
  writeStack,
} from './flow-values.ts';
import type { State, Val } from './flow-values.ts';
import { helperName } from './helpers.ts';

interface Frame {
  /** What the callers' stacks may hold: a load through a pointer into them may give it. */
  caller: { ctx: boolean; taint: boolean };
  /** The bytes of the calling function's frame it had certainly written when it called. */
  callerWritten: Map<number, number>;
  depth: number;
  /** The function's instructions: [lo, hi). */
  lo: number;
  hi: number;
}

interface Summary {
  ret?: Val;
}

/** What a load may give: `v`, or either of it and what it could already give. */
function joinOr(out: Val | undefined, v: Val): Val {
  return out ? joinVal(out, v) : v;
}

export class ContextFlow {
  private readonly accesses = new Map<string, ContextAccess>();
  private readonly problems = new Map<string, FlowProblem>();
  private readonly helperCalls = new Map<string, HelperCall>();
  private readonly summaries = new Map<string, Summary>();
  private readonly active = new Set<string>();
  private readonly reached = new Set<string>();
  private steps = 0;

  constructor(
    private readonly sections: Map<number, CodeSection>,
    private readonly options: FlowOptions,
  ) {}

  /**
   * Analyses the program whose instructions are [insn, end) of `section`; r1 holds the context.
   * `options` may be the helper argument counts alone (then calls resolve in `section`).
   */
  static analyze(
    sections: Map<number, CodeSection>,
    section: number,
    insn: number,
    options: FlowOptions | ((id: number) => number | undefined),
    end?: number,
  ): FlowResult {
    const opts = typeof options === 'function' ? { helperArgs: options } : options;
    const flow = new ContextFlow(sections, opts);
    const regs = Array.from({ length: 11 }, () => ({ ...NUM }));
    regs[1] = { ...CTX };
    const sec = sections.get(section);
    const hi = end ?? (sec ? Math.floor(sec.data.length / 8) : 0);
    flow.run(section, insn, regs, {
      caller: { ctx: false, taint: false },
      callerWritten: new Map(),
      depth: 0,
      lo: insn,
      hi,
    });
    return {
      accesses: [...flow.accesses.values()],
      problems: [...flow.problems.values()],
      helperCalls: [...flow.helperCalls.values()],
      reachable: flow.reached.size,
    };
  }

  private problem(sec: CodeSection, insn: number, code: string, message: string): void {
    const key = `${sec.name}:${insn}:${code}`;
    if (!this.problems.has(key)) this.problems.set(key, { section: sec.name, insn, code, message });
  }

  // The two below are methods, not closures made per instruction: run through tsx (as the lab
  // is), every closure bound to a name also gets its name set when it is made. With closures,
  // checking the flagship's solution took ~1.7 ms of CPU, without them ~1.4.

  /** Records a problem at instruction `i`, where its path stops: no successors. */
  private stop(sec: CodeSection, i: number, code: string, message: string): number[] {
    this.problem(sec, i, code, message);
    return [];
  }

  /** Records a problem at instruction `i` for a step that reports success as a boolean. */
  private refused(sec: CodeSection, i: number, code: string, message: string): false {
    this.problem(sec, i, code, message);
    return false;
  }

  private run(secIndex: number, entry: number, args: Val[], frame: Frame): Summary {
    const sec = this.sections.get(secIndex);
    const summary: Summary = {};
    if (!sec) return summary;
    const key = `${secIndex}:${entry}:${JSON.stringify([args.slice(1, 6), frame.caller, [...frame.callerWritten]])}`;
    const known = this.summaries.get(key);
    if (known) return known;
    if (this.active.has(key) || frame.depth >= MAX_DEPTH) {
      this.problem(
        sec,
        entry,
        'static/context-flow',
        'calls nest too deeply (or recurse) for the context check to follow',
      );
      return summary;
    }
    this.active.add(key);

    const start: State = {
      regs: Array.from({ length: 11 }, (_, r) => (r >= 1 && r <= 5 ? { ...args[r] } : { ...NUM })),
      slots: new Map(),
      written: new Map(),
    };
    start.regs[10] = { ...NUM, num: false, fp: 0 };
    const states = new Map<number, State>([[entry, start]]);
    const work: number[] = [entry];
    const queued = new Set<number>([entry]);

    const flowTo = (target: number, from: number, s: State): void => {
      if (target < frame.lo || target >= frame.hi) {
        this.problem(sec, from, 'static/context-flow', 'jumps outside its function');
        return;
      }
      const cur = states.get(target);
      if (!cur) states.set(target, cloneState(s));
      else if (!joinInto(cur, s)) return;
      if (!queued.has(target)) {
        queued.add(target);
        work.push(target);
      }
    };

    while (work.length > 0) {
      if (++this.steps > MAX_STEPS) {
        this.problem(
          sec,
          entry,
          'static/context-flow',
          'the program is too complex for the context check to follow',
        );
        break;
      }
      const i = work.pop() as number;
      queued.delete(i);
      this.reached.add(`${secIndex}:${i}`);
      const s = cloneState(states.get(i) as State);
      const insn = decode(sec.data, i);
      const next = this.step(sec, i, insn, s, frame, summary);
      for (const t of next) flowTo(t, i, s);
    }
    this.active.delete(key);
    this.summaries.set(key, summary);
    return summary;
  }

  /** Applies one instruction to `s` (in place); returns its successors. */
  private step(
    sec: CodeSection,
    i: number,
    insn: Insn,
    s: State,
    frame: Frame,
    summary: Summary,
  ): number[] {
    const R = s.regs;
    if (insn.dst > 10 || insn.src > 10)
      return this.stop(sec, i, 'static/bad-insn', 'uses a register that does not exist');
    const c = cls(insn.code);

    if (isLdImm64(insn.code)) {
      if (insn.dst === 10) return this.stop(sec, i, 'static/bad-insn', 'writes the frame pointer');
      return this.loadImm64(sec, i, insn, s, frame);
    }

    switch (c) {
      case CLS.LD:
        return this.stop(
          sec,
          i,
          'static/context-flow',
          'uses a legacy packet load, which tracepoint programs cannot use',
        );
      case CLS.LDX: {
        const m = mode(insn.code);
        const size = accessSize(insn.code);
        if ((m !== MODE.MEM && m !== MODE.MEMSX) || (m === MODE.MEMSX && size === 8)) {
          return this.stop(sec, i, 'static/bad-insn', 'uses an unknown kind of load');
        }
        if (insn.dst === 10)
          return this.stop(sec, i, 'static/bad-insn', 'writes the frame pointer');
        if (!this.load(sec, i, insn.dst, R[insn.src], insn.off, size, s, frame)) return [];
        return [i + 1];
      }
      case CLS.ST:
      case CLS.STX: {
        const m = mode(insn.code);
        if (c === CLS.STX && m === MODE.ATOMIC) return this.atomic(sec, i, insn, s, frame);
        if (m !== MODE.MEM)
          return this.stop(sec, i, 'static/bad-insn', 'uses an unknown kind of store');
        const value = c === CLS.STX ? R[insn.src] : konst(insn.imm);
        if (!this.store(sec, i, R[insn.dst], insn.off, accessSize(insn.code), value, s)) return [];
        return [i + 1];
      }
      case CLS.ALU:
      case CLS.ALU64:
        return alu(insn, s, (code, message) => this.problem(sec, i, code, message)) ? [i + 1] : [];
      case CLS.JMP:
      case CLS.JMP32: {
        const o = op(insn.code);
        if (isExit(insn.code) && c === CLS.JMP) {
          if (frame.depth > 0 && (R[0].fp !== null || R[0].foreign)) {
            // The kernel refuses it too; here it would hide what the dead frame held.
            return this.stop(
              sec,
              i,
              'static/context-flow',
              'returns a pointer into the stack to its caller',
            );
          }
          summary.ret = summary.ret ? joinVal(summary.ret, R[0]) : { ...R[0] };
          return [];
        }
        if (isCall(insn.code) && c === CLS.JMP) return this.call(sec, i, insn, s, frame);
        if (o === OP.CALL)
          return this.stop(
            sec,
            i,
            'static/context-flow',
            'calls through a register: the context check cannot follow it',
          );
        if (o === OP.EXIT || o > JMP.JSLE)
          return this.stop(sec, i, 'static/bad-insn', 'uses an unknown kind of jump');
        // The 32-bit class's "ja" (gotol) keeps its offset in imm.
        if (o === OP.JA) return [i + 1 + (c === CLS.JMP32 ? insn.imm : insn.off)];
        const fromReg = (insn.code & SRC_X) !== 0;
        const a = R[insn.dst];
        const b = fromReg ? R[insn.src] : konst(insn.imm);
        if (tainted(a) || tainted(b)) {
          const zero = (v: Val) => !tainted(v) && v.known === 0;
          const nullCheck =
            c === CLS.JMP &&
            (o === JMP.JEQ || o === JMP.JNE) &&
            ((!a.leak && zero(b)) || (!b.leak && zero(a)));
          const sameStack = c === CLS.JMP && onlyStack(a) && onlyStack(b);
          if (!nullCheck && !sameStack) {
            // Reported, and the path goes on, so every other problem is named too.
            this.problem(
              sec,
              i,
              'static/address-leak',
              'compares a kernel address (a pointer, or a number made from one) with something other than NULL: the outcome would reveal the address',
            );
          }
        }
        return [i + 1, i + 1 + insn.off];
      }
      default:
        return this.stop(sec, i, 'static/bad-insn', 'uses an unknown instruction');
    }
  }

  private loadImm64(sec: CodeSection, i: number, insn: Insn, s: State, frame: Frame): number[] {
    if (i + 1 >= frame.hi) {
      this.problem(sec, i, 'static/bad-insn', 'ends in the middle of a 64-bit load');
      return [];
    }
    const target = sec.relocs.get(i);
    if (
      insn.src === PSEUDO_FUNC ||
      (target && (target.type === 2 || this.sections.has(target.shndx)))
    ) {
      // Reported, and the path goes on, so every refused helper after it is named too.
      this.problem(
        sec,
        i,
        'static/callback',
        'takes the address of a function: callbacks are not allowed here',
      );
      s.regs[insn.dst] = { ...NUM };
    } else if (target) {
      // A map or a global: libbpf puts the map in, whatever source the instruction names.
      const map = target.shndx !== 0 ? this.options.mapOf?.(target) : undefined;
      s.regs[insn.dst] = { ...NUM, num: false, mem: true, ...(map ? { map } : {}) };
    } else if (insn.src !== 0) {
      // Sources 1-6 name a map by file descriptor or index, a kernel variable by BTF id, a map
      // value: nothing the student's own maps and globals need, which always come with a relocation.
      this.problem(
        sec,
        i,
        'static/raw-load',
        `loads a kernel object by number (a hand-written 64-bit load with source ${insn.src} and no relocation): refer to maps and globals by their names`,
      );
      return [];
    } else {
      s.regs[insn.dst] = { ...NUM };
    }
    return [i + 2];
  }

  /** `dst = *(size *)(base + off)`; false when the path cannot go on. */
  private load(
    sec: CodeSection,
    i: number,
    dst: number,
    base: Val,
    off: number,
    size: number,
    s: State,
    frame: Frame,
  ): boolean {
    let out: Val | undefined;
    if (base.ctx) this.access(sec, i, off, size, false);
    this.checkWritten(sec, i, base, off, size, s, frame, 'reads');
    if (typeof base.fp === 'number') out = joinOr(out, readStack(s, base.fp + off, size));
    else if (base.fp === 'top') out = joinOr(out, readAnywhere(s, size));
    if (base.foreign) {
      if (frame.caller.ctx) {
        this.problem(
          sec,
          i,
          'static/context-flow',
          "reads a caller's stack that may hold the context pointer: the context check cannot follow that",
        );
        return false;
      }
      const t = frame.caller.taint;
      out = joinOr(out, size === 8 ? { ...NUM, leak: t, mem: t, foreign: t } : { ...NUM, leak: t });
    }
    // The context, maps, records and globals hold numbers: no address is ever let in.
    if (base.ctx || base.mem || base.num || base.leak) out = joinOr(out, { ...NUM });
    s.regs[dst] = out ?? { ...NUM };
    return true;
  }

  /** `*(size *)(base + off) = value`; false when refused. */
  private store(
    sec: CodeSection,
    i: number,
    base: Val,
    off: number,
    size: number,
    value: Val,
    s: State,
  ): boolean {
    if (base.ctx) this.access(sec, i, off, size, true);
    const at = typeof base.fp === 'number' ? base.fp + off : undefined;
    if (value.ctx) {
      if (!onlyStack(base) || at === undefined || size !== 8 || at % 8 !== 0) {
        return this.refused(
          sec,
          i,
          'static/context-flow',
          'stores the context pointer somewhere other than its own stack slot: the context check cannot follow it',
        );
      }
    } else if (tainted(value)) {
      if (base.mem || base.foreign || base.ctx) {
        return this.refused(
          sec,
          i,
          'static/address-leak',
          'stores a kernel address (a pointer, or a number made from one) where the lab can read it back (a map, a ring-buffer record, a global): submit values, not where they live',
        );
      }
      if (base.fp === 'top')
        return this.refused(
          sec,
          i,
          'static/address-leak',
          'stores a pointer at a stack position the checks cannot tell',
        );
      if (isAddr(value) && (size !== 8 || at === undefined || at % 8 !== 0)) {
        return this.refused(
          sec,
          i,
          'static/address-leak',
          'stores part of a pointer: that turns a kernel address into a number',
        );
      }
    }
    if (at !== undefined) writeStack(s, at, size, value, onlyStack(base));
    else if (base.fp === 'top') {
      // Somewhere in the frame: any slot may now be partly overwritten.
      for (const [at, slot] of s.slots)
        s.slots.set(at, { val: joinVal(slot.val, { ...NUM, leak: true }), mask: slot.mask });
    }
    return true;
  }

  private atomic(sec: CodeSection, i: number, insn: Insn, s: State, frame: Frame): number[] {
    const R = s.regs;
    const size = accessSize(insn.code);
    // Load-acquire is a load (`dst = *(src + off)`), store-release a store: not read-modify-write.
    if (insn.imm === ATOMIC.LOAD_ACQ) {
      if (insn.dst === 10) return this.stop(sec, i, 'static/bad-insn', 'writes the frame pointer');
      return this.load(sec, i, insn.dst, R[insn.src], insn.off, size, s, frame) ? [i + 1] : [];
    }
    if (insn.imm === ATOMIC.STORE_REL)
      return this.store(sec, i, R[insn.dst], insn.off, size, R[insn.src], s) ? [i + 1] : [];
    if (!ATOMIC_RMW.has(insn.imm) || (size !== 4 && size !== 8)) {
      return this.stop(
        sec,
        i,
        'static/bad-insn',
        `uses an atomic operation the checks do not know (imm 0x${(insn.imm >>> 0).toString(16)})`,
      );
    }
    const base = R[insn.dst];
    const value = R[insn.src];
    if (base.ctx) this.access(sec, i, insn.off, size, true);
    this.checkWritten(sec, i, base, insn.off, size, s, frame, 'reads');
    if (tainted(value) || (insn.imm === ATOMIC.CMPXCHG && tainted(R[0]))) {
      return this.stop(
        sec,
        i,
        'static/address-leak',
        'uses a kernel address (a pointer, or a number made from one) in an atomic operation',
      );
    }
    // The old value comes back in a register (fetch, xchg, cmpxchg), and adding to a pointer
    // makes a number of it: no atomic may touch memory that may hold one.
    let old: Val = { ...NUM };
    if (typeof base.fp === 'number')
      old = joinVal(old, {
        ...readStack(s, base.fp + insn.off, 8),
        leak: stackHoldsAddress(s, base.fp + insn.off, size),
      });
    else if (base.fp === 'top') old = joinVal(old, readAnywhere(s, 8));
    if (base.foreign)
      old = { ...old, ctx: old.ctx || frame.caller.ctx, leak: old.leak || frame.caller.taint };
    if (old.ctx) {
      return this.stop(
        sec,
        i,
        'static/context-flow',
        'does an atomic operation on a stack slot that may hold the context pointer: its old value would come back as the context pointer',
      );
    }
    if (tainted(old))
      return this.stop(
        sec,
        i,
        'static/address-leak',
        'does an atomic operation on a stack slot that may hold a pointer',
      );
    if (insn.imm === ATOMIC.CMPXCHG) R[0] = { ...NUM };
    else if (insn.imm & ATOMIC.FETCH) {
      if (insn.src === 10) return this.stop(sec, i, 'static/bad-insn', 'writes the frame pointer');
      R[insn.src] = { ...NUM };
    }
    return [i + 1];
  }

  /**
   * Reports reading `size` bytes at `base + off` when some of them may never have been written
   * on some path; the path goes on, so every other problem is named too. Two reads are not
   * checked in full, since without value ranges any byte of the frame could be meant, and clang
   * leaves gaps between variables that nothing writes: one at a position the checks cannot tell
   * (an array indexed by a number), and one of a size they cannot tell (a length computed at run
   * time), of which only the first byte is checked. C code has every variable zeroed by the
   * compiler; hand-written code could still reach unwritten bytes that way.
   */
  private checkWritten(
    sec: CodeSection,
    i: number,
    base: Val,
    off: number,
    size: number | undefined,
    s: State,
    frame: Frame,
    what: string,
  ): void {
    const span = size !== undefined && size >= 0 ? size : 1;
    let gap = false;
    if (typeof base.fp === 'number') gap ||= unwritten(s.written, base.fp + off, span);
    if (base.foreign && base.callerAt !== undefined)
      gap ||= unwritten(frame.callerWritten, base.callerAt + off, span);
    if (gap)
      this.problem(
        sec,
        i,
        'static/uninitialised-stack',
        `${what} stack bytes that were never written on some path (a struct's padding, or part of a buffer never filled): they hold what the kernel left on its stack. Initialise the variable (\`= {}\`) or clear it with __builtin_memset first`,
      );
  }

  private access(sec: CodeSection, insn: number, off: number, size: number, write: boolean): void {
    const key = `${sec.name}:${insn}`;
    const prev = this.accesses.get(key);
    if (!prev || off + size > prev.off + prev.size)
      this.accesses.set(key, { section: sec.name, insn, off, size, write });
  }

  private call(sec: CodeSection, i: number, insn: Insn, s: State, frame: Frame): number[] {
    const R = s.regs;
    const reloc = sec.relocs.get(i);
    if (insn.src === PSEUDO_KFUNC_CALL)
      return this.stop(
        sec,
        i,
        'static/kfunc',
        'calls a kernel function (kfunc), which is not allowed',
      );
    if (insn.src === 0 && !reloc) return this.helper(sec, i, insn, s, frame);
    if (insn.src !== PSEUDO_CALL)
      return this.stop(sec, i, 'static/bad-insn', 'uses an unknown kind of call');

    // Where libbpf 1.1 links the call to: always a function of .text, at
    // (relocated symbol + imm + 1), or without a relocation at (the call's own index in its
    // section + imm + 1) read as an index into .text. It then calls the start of the function
    // holding that instruction, so anything but a function's first instruction is refused.
    const text = this.options.text ?? sec.index;
    let target: number;
    if (reloc) {
      if (reloc.shndx === 0)
        return this.stop(
          sec,
          i,
          'static/kfunc',
          `calls ${reloc.name || 'an undefined function'}, a kernel function (kfunc), which is not allowed`,
        );
      if (reloc.shndx !== text || reloc.value % 8 !== 0)
        return this.stop(
          sec,
          i,
          'static/call',
          'calls something that is not a function of your file',
        );
      target = reloc.value / 8 + insn.imm + 1;
    } else {
      if (sec.index !== text) {
        return this.stop(
          sec,
          i,
          'static/call',
          'makes a hand-written call with no relocation from a program: the loader would link it elsewhere than it appears',
        );
      }
      target = i + insn.imm + 1;
    }
    const callee = this.sections.get(text);
    const fn = this.options.functions
      ? this.options.functions.get(text)?.find((f) => f.start === target)
      : callee && target >= 0 && target < callee.data.length / 8
        ? { start: target, end: Math.floor(callee.data.length / 8) }
        : undefined;
    if (!callee || !fn)
      return this.stop(
        sec,
        i,
        'static/call',
        'calls something that is not the start of a function',
      );

    // A pointer into this frame becomes the callee's pointer into its caller's, still at a known
    // offset; one already into a caller's frame is into a frame further up, whose bytes it loses.
    const args = R.map((v): Val => {
      const { callerAt: _, ...rest } = v;
      if (v.fp === null && !v.foreign) return { ...v };
      const at = typeof v.fp === 'number' && !v.foreign ? { callerAt: v.fp } : {};
      return { ...rest, fp: null, foreign: true, ...at };
    });
    let ctxOnStack = false;
    let taintOnStack = false;
    for (const slot of s.slots.values()) {
      ctxOnStack ||= slot.val.ctx;
      taintOnStack ||= slot.mask !== 0;
    }
    const sum = this.run(text, fn.start, args, {
      caller: { ctx: frame.caller.ctx || ctxOnStack, taint: frame.caller.taint || taintOnStack },
      callerWritten: s.written,
      depth: frame.depth + 1,
      lo: fn.start,
      hi: fn.end,
    });
    for (let r = 1; r <= 5; r++) R[r] = { ...NUM };
    R[0] = { ...(sum.ret ?? NUM) };
    return [i + 1];
  }

  private helper(sec: CodeSection, i: number, insn: Insn, s: State, frame: Frame): number[] {
    const R = s.regs;
    const id = insn.imm;
    const key = `${sec.name}:${i}`;
    if (!this.helperCalls.has(key)) this.helperCalls.set(key, { section: sec.name, insn: i, id });
    const nargs = this.options.helperArgs(id) ?? 0;
    // Reported, and the path goes on: the call itself changes no context flow.
    for (let r = 1; r <= nargs; r++) {
      if (R[r].ctx)
        this.problem(
          sec,
          i,
          'static/context-flow',
          'passes the context pointer to a helper, which is not allowed here',
        );
      else if (R[r].leak)
        this.problem(
          sec,
          i,
          'static/address-leak',
          'passes a helper a number made from a kernel address',
        );
    }
    for (const read of this.options.helperArgs(id) === undefined ? [] : (HELPER_READS[id] ?? [])) {
      const p = R[read.ptr];
      const size =
        typeof read.size === 'number'
          ? R[read.size].known
          : R[1].map?.[read.size === 'key' ? 'keySize' : 'valueSize'];
      let holds = p.foreign && frame.caller.taint;
      if (typeof p.fp === 'number') {
        // A size the checks do not know reaches up to the top of the frame.
        const n = size !== undefined && size >= 0 ? size : -p.fp;
        holds ||= stackHoldsAddress(s, p.fp, n);
      } else if (p.fp === 'top') holds ||= [...s.slots.values()].some((x) => x.mask !== 0);
      if (holds)
        this.problem(
          sec,
          i,
          'static/address-leak',
          'hands a helper stack memory that holds a kernel address (a pointer stored there): submit values, not where they live',
        );
      if (p.fp !== null || p.foreign)
        this.checkWritten(sec, i, p, 0, size, s, frame, `hands ${helperName(id)}`);
    }
    for (const w of this.options.helperArgs(id) === undefined ? [] : (HELPER_WRITES[id] ?? [])) {
      const p = R[w.ptr];
      const size = typeof w.size === 'number' ? R[w.size].known : R[1].map?.valueSize;
      if (onlyStack(p) && typeof p.fp === 'number' && size !== undefined && size > 0)
        markWritten(s, p.fp, size);
    }
    for (let r = 1; r <= 5; r++) R[r] = { ...NUM };
    R[0] = RETURNS_POINTER.has(id) ? { ...NUM, mem: true } : { ...NUM };
    return [i + 1];
  }
}
