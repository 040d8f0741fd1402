// The context-read bound (DESIGN.md section 1, step 3). A tracepoint program tail-called by the
// dispatcher skips the kernel's attach-time check of how far it reads into its context, and a
// read past the record oopses the kernel. So before anything is loaded, a forward data-flow
// over each program (registers and stack slots that may hold the context pointer, through
// bpf-to-bpf calls) finds every `*(size *)(ctx + off)`. The verifier forbids arithmetic on the
// context pointer, so a constant offset is all a load can have; whatever this analysis cannot
// follow is refused rather than guessed.
import type { ElfSymbol } from './elf.ts';
import {
  accessSize,
  CLS,
  cls,
  decode,
  isCall,
  isExit,
  isLdImm64,
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

export interface CodeSection {
  index: number;
  name: string;
  data: Buffer;
  /** Relocated symbol by instruction index. */
  relocs: Map<number, ElfSymbol>;
}

export interface Location {
  section: string;
  insn: number;
}

export interface ContextAccess extends Location {
  off: number;
  size: number;
  write: boolean;
}

export interface FlowProblem extends Location {
  code: string;
  message: string;
}

export interface HelperCall extends Location {
  id: number;
}

export interface FlowResult {
  accesses: ContextAccess[];
  problems: FlowProblem[];
  helperCalls: HelperCall[];
  /** Instructions reachable from the entry, across subprograms. */
  reachable: number;
}


/** What a register may hold. */
interface Val {
  ctx: boolean;
  /** A pointer into this frame's stack: known offset from r10, unknown ('top'), or not (null). */
  fp: number | 'top' | null;
  /** A pointer into a caller's stack. */
  foreign: boolean;
}

interface State {
  regs: Val[];
  /** Stack offsets (from r10, 8-aligned) whose 8 bytes may hold the context pointer. */
  ctxSlots: Set<number>;
}

const SCALAR: Val = { ctx: false, fp: null, foreign: false };
const MAX_STEPS = 200_000;
const MAX_DEPTH = 8;

function joinFp(a: Val['fp'], b: Val['fp']): Val['fp'] {
  if (a === null) return b;
  if (b === null) return a;
  return a === b ? a : 'top';
}

function joinVal(a: Val, b: Val): Val {
  return { ctx: a.ctx || b.ctx, fp: joinFp(a.fp, b.fp), foreign: a.foreign || b.foreign };
}

function sameVal(a: Val, b: Val): boolean {
  return a.ctx === b.ctx && a.fp === b.fp && a.foreign === b.foreign;
}

function cloneState(s: State): State {
  return { regs: s.regs.map((r) => ({ ...r })), ctxSlots: new Set(s.ctxSlots) };
}

/** Joins `b` into `a`; true when `a` changed. */
function joinInto(a: State, b: State): boolean {
  let changed = false;
  for (let r = 0; r < 11; r++) {
    const j = joinVal(a.regs[r], b.regs[r]);
    if (!sameVal(j, a.regs[r])) {
      a.regs[r] = j;
      changed = true;
    }
  }
  for (const k of b.ctxSlots) {
    if (!a.ctxSlots.has(k)) {
      a.ctxSlots.add(k);
      changed = true;
    }
  }
  return changed;
}

interface Frame {
  /** A caller's stack may hold the context (then loads through foreign pointers are refused). */
  callerCtxSlots: boolean;
  depth: number;
}

interface Summary {
  retCtx: boolean;
  retForeign: boolean;
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
    private readonly helperArgs: (id: number) => number | undefined,
  ) {}

  /**
   * Analyses the program whose entry is instruction `insn` of `section`; r1 holds the context.
   * `helperArgs` says how many arguments an allowed helper takes (undefined for a refused
   * helper: the allowlist refuses the call whatever it is passed).
   */
  static analyze(
    sections: Map<number, CodeSection>,
    section: number,
    insn: number,
    helperArgs: (id: number) => number | undefined,
  ): FlowResult {
    const flow = new ContextFlow(sections, helperArgs);
    const regs = Array.from({ length: 11 }, () => ({ ...SCALAR }));
    regs[1] = { ctx: true, fp: null, foreign: false };
    flow.run(section, insn, regs, { callerCtxSlots: false, depth: 0 });
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

  private run(secIndex: number, entry: number, args: Val[], frame: Frame): Summary {
    const sec = this.sections.get(secIndex);
    const summary: Summary = { retCtx: false, retForeign: false };
    if (!sec) return summary;
    const n = Math.floor(sec.data.length / 8);
    const key = `${secIndex}:${entry}:${args.slice(1, 6).map((v) => `${+v.ctx}${+v.foreign}`).join('')}:${+frame.callerCtxSlots}`;
    const known = this.summaries.get(key);
    if (known) return known;
    if (this.active.has(key) || frame.depth >= MAX_DEPTH) {
      this.problem(sec, entry, 'static/context-flow', 'calls nest too deeply (or recurse) for the context check to follow');
      return summary;
    }
    this.active.add(key);

    const start: State = {
      regs: Array.from({ length: 11 }, (_, r) => (r >= 1 && r <= 5 ? { ...args[r] } : { ...SCALAR })),
      ctxSlots: new Set(),
    };
    start.regs[10] = { ctx: false, fp: 0, foreign: false };
    const states = new Map<number, State>([[entry, start]]);
    const work: number[] = [entry];
    const queued = new Set<number>([entry]);

    const flowTo = (target: number, from: number, s: State): void => {
      if (target < 0 || target >= n) {
        this.problem(sec, from, 'static/context-flow', 'jumps outside its section');
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
        this.problem(sec, entry, 'static/context-flow', 'the program is too complex for the context check to follow');
        break;
      }
      const i = work.pop() as number;
      queued.delete(i);
      this.reached.add(`${secIndex}:${i}`);
      const s = cloneState(states.get(i) as State);
      const insn = decode(sec.data, i);
      const next = this.step(sec, i, n, insn, s, frame, summary);
      for (const t of next) flowTo(t, i, s);
    }
    this.active.delete(key);
    this.summaries.set(key, summary);
    return summary;
  }

  /** Applies one instruction to `s` (in place); returns its successors. */
  private step(sec: CodeSection, i: number, n: number, insn: Insn, s: State, frame: Frame, summary: Summary): number[] {
    const R = s.regs;
    const bad = (code: string, message: string): number[] => {
      this.problem(sec, i, code, message);
      return [];
    };
    if (insn.dst > 10 || insn.src > 10) return bad('static/bad-insn', 'uses a register that does not exist');
    const c = cls(insn.code);

    if (isLdImm64(insn.code)) {
      if (i + 1 >= n) return bad('static/bad-insn', 'ends in the middle of a 64-bit load');
      const target = sec.relocs.get(i);
      if (insn.src === PSEUDO_FUNC || (target && (target.type === 2 || this.sections.has(target.shndx)))) {
        // Reported, and the path goes on, so every refused helper after it is named too.
        this.problem(sec, i, 'static/callback', 'takes the address of a function: callbacks are not allowed here');
      }
      R[insn.dst] = { ...SCALAR };
      return [i + 2];
    }

    switch (c) {
      case CLS.LD:
        return bad('static/context-flow', 'uses a legacy packet load, which tracepoint programs cannot use');
      case CLS.LDX: {
        if (mode(insn.code) !== MODE.MEM && mode(insn.code) !== MODE.MEMSX) {
          return bad('static/bad-insn', 'uses an unknown kind of load');
        }
        const base = R[insn.src];
        const size = accessSize(insn.code);
        const out: Val = { ...SCALAR };
        if (base.ctx) this.access(sec, i, insn.off, size, false);
        if (base.fp !== null) {
          if (base.fp === 'top') out.ctx = s.ctxSlots.size > 0;
          else if (size === 8) out.ctx = s.ctxSlots.has(base.fp + insn.off);
        }
        if (base.foreign && frame.callerCtxSlots) {
          return bad('static/context-flow', 'reads a caller\'s stack that may hold the context pointer: the context check cannot follow that');
        }
        R[insn.dst] = out;
        return [i + 1];
      }
      case CLS.ST:
      case CLS.STX: {
        const m = mode(insn.code);
        if (m !== MODE.MEM && !(c === CLS.STX && m === MODE.ATOMIC)) return bad('static/bad-insn', 'uses an unknown kind of store');
        const base = R[insn.dst];
        const size = accessSize(insn.code);
        const value = c === CLS.STX ? R[insn.src] : SCALAR;
        if (base.ctx) this.access(sec, i, insn.off, size, true);
        if (value.ctx) {
          if (m === MODE.ATOMIC || typeof base.fp !== 'number' || base.ctx || base.foreign || size !== 8 || (base.fp + insn.off) % 8 !== 0) {
            return bad('static/context-flow', 'stores the context pointer somewhere other than its own stack slot: the context check cannot follow it');
          }
          s.ctxSlots.add(base.fp + insn.off);
        } else if (typeof base.fp === 'number') {
          const at = base.fp + insn.off;
          for (const k of [...s.ctxSlots]) if (k < at + size && at < k + 8) s.ctxSlots.delete(k);
        }
        if (m === MODE.ATOMIC) {
          // Fetching atomics write the old value to src; cmpxchg writes r0.
          if (insn.imm & 0x01) R[insn.src] = { ...SCALAR };
          if (insn.imm === 0xf1) R[0] = { ...SCALAR };
        }
        return [i + 1];
      }
      case CLS.ALU:
      case CLS.ALU64: {
        const o = op(insn.code);
        const fromReg = (insn.code & SRC_X) !== 0;
        const src = fromReg ? R[insn.src] : SCALAR;
        const dst = R[insn.dst];
        if (insn.dst === 10) return bad('static/bad-insn', 'writes the frame pointer');
        if (c === CLS.ALU64 && o === OP.MOV && fromReg) {
          R[insn.dst] = { ...src };
          return [i + 1];
        }
        if (src.ctx || (dst.ctx && o !== OP.MOV)) {
          return bad('static/context-flow', 'does arithmetic on the context pointer: the context check cannot follow it');
        }
        if (o === OP.MOV) {
          R[insn.dst] = { ...SCALAR };
        } else if (c === CLS.ALU64 && typeof dst.fp === 'number' && !fromReg && (o === OP.ADD || o === OP.SUB)) {
          R[insn.dst] = { ...dst, fp: dst.fp + (o === OP.ADD ? insn.imm : -insn.imm) };
        } else if (dst.fp !== null || dst.foreign || src.fp !== null || src.foreign) {
          R[insn.dst] = { ctx: false, fp: dst.fp !== null || src.fp !== null ? 'top' : null, foreign: dst.foreign || src.foreign };
        } else {
          R[insn.dst] = { ...SCALAR };
        }
        return [i + 1];
      }
      case CLS.JMP:
      case CLS.JMP32: {
        if (isExit(insn.code) && c === CLS.JMP) {
          const r0 = R[0];
          summary.retCtx ||= r0.ctx;
          summary.retForeign ||= r0.foreign || r0.fp !== null;
          return [];
        }
        if (isCall(insn.code) && c === CLS.JMP) return this.call(sec, i, insn, s, frame);
        if (op(insn.code) === OP.CALL) return bad('static/context-flow', 'calls through a register: the context check cannot follow it');
        if (op(insn.code) === OP.EXIT) return bad('static/bad-insn', 'uses an unknown kind of jump');
        if (op(insn.code) === OP.JA) {
          // The 32-bit class's "ja" (gotol) keeps its offset in imm.
          return [i + 1 + (c === CLS.JMP32 ? insn.imm : insn.off)];
        }
        if (op(insn.code) > 0xd0) return bad('static/bad-insn', 'uses an unknown kind of jump');
        return [i + 1, i + 1 + insn.off];
      }
      default:
        return bad('static/bad-insn', 'uses an unknown instruction');
    }
  }

  private access(sec: CodeSection, insn: number, off: number, size: number, write: boolean): void {
    const key = `${sec.name}:${insn}`;
    const prev = this.accesses.get(key);
    if (!prev || off + size > prev.off + prev.size) this.accesses.set(key, { section: sec.name, insn, off, size, write });
  }

  private call(sec: CodeSection, i: number, insn: Insn, s: State, frame: Frame): number[] {
    const R = s.regs;
    const bad = (code: string, message: string): number[] => {
      this.problem(sec, i, code, message);
      return [];
    };
    const reloc = sec.relocs.get(i);
    if (insn.src === PSEUDO_KFUNC_CALL) return bad('static/kfunc', 'calls a kernel function (kfunc), which is not allowed');
    if (insn.src === 0 && !reloc) {
      const key = `${sec.name}:${i}`;
      if (!this.helperCalls.has(key)) this.helperCalls.set(key, { section: sec.name, insn: i, id: insn.imm });
      const nargs = this.helperArgs(insn.imm) ?? 0;
      for (let r = 1; r <= nargs; r++) {
        // Reported, and the path goes on: the helper call itself changes no context flow.
        if (R[r].ctx) this.problem(sec, i, 'static/context-flow', 'passes the context pointer to a helper, which is not allowed here');
      }
      for (let r = 0; r <= 5; r++) R[r] = { ...SCALAR };
      return [i + 1];
    }
    if (insn.src !== PSEUDO_CALL) return bad('static/bad-insn', 'uses an unknown kind of call');
    let targetSec = sec.index;
    let target = i + insn.imm + 1;
    if (reloc) {
      if (reloc.shndx === 0) return bad('static/kfunc', `calls ${reloc.name || 'an undefined function'}, a kernel function (kfunc), which is not allowed`);
      if (!this.sections.has(reloc.shndx) || reloc.value % 8 !== 0) return bad('static/context-flow', 'calls something that is not a function');
      targetSec = reloc.shndx;
      target = reloc.value / 8 + insn.imm + 1;
    }
    const callee = this.sections.get(targetSec);
    if (!callee || target < 0 || target >= Math.floor(callee.data.length / 8)) {
      return bad('static/context-flow', 'calls outside the program');
    }
    const args = R.map((v) => (v.fp !== null ? { ctx: v.ctx, fp: null, foreign: true } : { ...v }));
    const sum = this.run(targetSec, target, args, {
      callerCtxSlots: frame.callerCtxSlots || s.ctxSlots.size > 0,
      depth: frame.depth + 1,
    });
    for (let r = 1; r <= 5; r++) R[r] = { ...SCALAR };
    R[0] = { ctx: sum.retCtx, fp: sum.retForeign ? 'top' : null, foreign: false };
    return [i + 1];
  }
}
