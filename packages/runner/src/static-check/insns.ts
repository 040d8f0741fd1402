// BPF instruction decoding (include/uapi/linux/bpf.h, bpf_common.h).
export const CLS = { LD: 0, LDX: 1, ST: 2, STX: 3, ALU: 4, JMP: 5, JMP32: 6, ALU64: 7 } as const;
export const MODE = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;
export const OP = {
  CALL: 0x80,
  EXIT: 0x90,
  JA: 0x00,
  MOV: 0xb0,
  ADD: 0x00,
  SUB: 0x10,
  NEG: 0x80,
  END: 0xd0,
} as const;
/** Conditional jumps; JSLE is the last one this kernel's verifier knows (may_goto is 0xe0). */
export const JMP = { JEQ: 0x10, JNE: 0x50, JSLE: 0xd0 } as const;
/**
 * The imm of an atomic instruction. Read-modify-write ops (FETCH: the old value comes back in
 * src; XCHG and CMPXCHG always fetch, CMPXCHG into r0), and the newer load-acquire and
 * store-release, which despite the atomic mode are a plain load (`dst = *(src + off)`) and a
 * plain store.
 */
export const ATOMIC = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  FETCH: 0x01,
  XCHG: 0xe1,
  CMPXCHG: 0xf1,
  LOAD_ACQ: 0x100,
  STORE_REL: 0x110,
} as const;
export const SRC_X = 0x08;
export const PSEUDO_CALL = 1;
export const PSEUDO_KFUNC_CALL = 2;
export const PSEUDO_FUNC = 4;

export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export function decode(text: Buffer, i: number): Insn {
  const at = i * 8;
  const regs = text[at + 1];
  return {
    code: text[at],
    dst: regs & 0xf,
    src: regs >> 4,
    off: text.readInt16LE(at + 2),
    imm: text.readInt32LE(at + 4),
  };
}

export const cls = (code: number): number => code & 0x07;
export const mode = (code: number): number => code & 0xe0;
export const op = (code: number): number => code & 0xf0;
/** Access size in bytes of a load or store. */
export const accessSize = (code: number): number => [4, 2, 1, 8][(code >> 3) & 0x3];
export const isLdImm64 = (code: number): boolean => code === 0x18;
export const isCall = (code: number): boolean => code === 0x85;
export const isExit = (code: number): boolean => code === 0x95;
