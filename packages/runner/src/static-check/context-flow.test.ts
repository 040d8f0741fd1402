import { describe, expect, it } from 'vitest';
import { ContextFlow } from './context-flow.ts';
import type { CodeSection, FlowResult } from './flow-types.ts';
import { recordSize } from './tracefs.ts';

// A tiny assembler: just the instructions these cases need.
const insn = (code: number, dst: number, src: number, off: number, imm: number): Buffer => {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = (src << 4) | dst;
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
};
const mov = (dst: number, src: number) => insn(0xbf, dst, src, 0, 0);
const movImm = (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm);
const addImm = (dst: number, imm: number) => insn(0x07, dst, 0, 0, imm);
const addReg = (dst: number, src: number) => insn(0x0f, dst, src, 0, 0);
const ldx64 = (dst: number, src: number, off: number) => insn(0x79, dst, src, off, 0);
const ldx32 = (dst: number, src: number, off: number) => insn(0x61, dst, src, off, 0);
const stx64 = (dst: number, off: number, src: number) => insn(0x7b, dst, src, off, 0);
const call = (id: number) => insn(0x85, 0, 0, 0, id);
const callLocal = (rel: number) => insn(0x85, 0, 1, 0, rel);
const jneImm = (dst: number, imm: number, off: number) => insn(0x55, dst, 0, off, imm);
const ja = (off: number) => insn(0x05, 0, 0, off, 0);
const exit = () => insn(0x95, 0, 0, 0, 0);
/** An atomic on 8 bytes at *(dst + off) with src, imm naming the operation. */
const atomic64 = (dst: number, off: number, src: number, imm: number) =>
  insn(0xdb, dst, src, off, imm);
const ldImm64 = (dst: number, src: number, imm: number) =>
  Buffer.concat([insn(0x18, dst, src, 0, imm), insn(0, 0, 0, 0, 0)]);
const jeqReg = (dst: number, src: number, off: number) => insn(0x1d, dst, src, off, 0);
const jgtImm = (dst: number, imm: number, off: number) => insn(0x25, dst, 0, off, imm);
const stx32 = (dst: number, off: number, src: number) => insn(0x63, dst, src, off, 0);
const mov32 = (dst: number, src: number) => insn(0xbc, dst, src, 0, 0);

function analyze(...code: Buffer[]): FlowResult {
  const sec: CodeSection = { index: 1, name: 'tp', data: Buffer.concat(code), relocs: new Map() };
  return ContextFlow.analyze(new Map([[1, sec]]), 1, 0, (id) => (id === 1 ? 2 : id === 14 ? 0 : 5));
}
const reads = (r: FlowResult) => r.accesses.map((a) => [a.insn, a.off, a.size]);

describe('context data-flow', () => {
  it('finds loads through copies of r1 kept across helper calls', () => {
    const r = analyze(mov(6, 1), call(14), ldx64(0, 6, 24), ldx32(2, 6, 8), exit());
    expect(reads(r)).toEqual([
      [2, 24, 8],
      [3, 8, 4],
    ]);
    expect(r.problems).toEqual([]);
  });

  it('finds loads through a spilled and reloaded context pointer', () => {
    const r = analyze(stx64(10, -16, 1), movImm(1, 0), ldx64(3, 10, -16), ldx64(0, 3, 56), exit());
    expect(reads(r)).toEqual([[3, 56, 8]]);
  });

  it('forgets a slot once it is overwritten with something else', () => {
    const r = analyze(
      stx64(10, -8, 1),
      movImm(2, 0),
      stx64(10, -8, 2),
      ldx64(3, 10, -8),
      ldx64(0, 3, 999),
      exit(),
    );
    expect(reads(r)).toEqual([]);
  });

  it('follows a stack pointer kept in another register', () => {
    const r = analyze(
      mov(2, 10),
      addImm(2, -24),
      stx64(2, 0, 1),
      ldx64(4, 10, -24),
      ldx64(0, 4, 100),
      exit(),
    );
    expect(reads(r)).toEqual([[4, 100, 8]]);
  });

  it('refuses storing the context anywhere but its own stack', () => {
    // r0 = map value (from a lookup), *(r0 + 0) = ctx.
    const r = analyze(
      mov(6, 1),
      movImm(1, 0),
      call(1),
      jneImm(0, 0, 1),
      exit(),
      stx64(0, 0, 6),
      exit(),
    );
    expect(r.problems.map((p) => [p.insn, p.code])).toEqual([[5, 'static/context-flow']]);
  });

  it('refuses arithmetic on the context pointer', () => {
    const r = analyze(movImm(2, 1000), addReg(1, 2), ldx64(0, 1, 0), exit());
    expect(r.problems.map((p) => p.insn)).toEqual([1]);
    const s = analyze(mov(3, 1), addImm(3, 8), exit());
    expect(s.problems.map((p) => p.insn)).toEqual([1]);
  });

  it('refuses passing the context to a helper that takes it as an argument', () => {
    expect(analyze(call(1), exit()).problems.map((p) => p.insn)).toEqual([0]);
    // bpf_get_current_pid_tgid takes no arguments: r1 still holding the context is harmless.
    expect(analyze(call(14), exit()).problems).toEqual([]);
  });

  it('joins paths: a register that holds the context on one branch is the context after it', () => {
    const r = analyze(movImm(6, 0), jneImm(2, 0, 1), mov(6, 1), ldx64(0, 6, 48), exit());
    expect(reads(r)).toEqual([[3, 48, 8]]);
  });

  it('follows the context into a subprogram and back out as its return value', () => {
    // main: call sub; r0 = *(r0 + 64); exit.   sub: r0 = r1; exit.
    const r = analyze(callLocal(2), ldx64(0, 0, 64), exit(), mov(0, 1), exit());
    expect(reads(r)).toEqual([[1, 64, 8]]);
  });

  it('refuses a subprogram returning a pointer into the stack', () => {
    // main: call sub; exit.  sub: *(fp-8) = ctx; r0 = fp - 8; exit.
    const r = analyze(callLocal(1), exit(), stx64(10, -8, 1), mov(0, 10), addImm(0, -8), exit());
    expect(codes(r)).toEqual([[5, 'static/context-flow']]);
  });

  it('refuses a subprogram reading a caller stack that holds the context', () => {
    // main: *(fp-8) = ctx; r1 = fp-8; call sub; exit.  sub: r2 = *(r1 + 0); r0 = *(r2 + 8); exit.
    const r = analyze(
      stx64(10, -8, 1),
      mov(1, 10),
      addImm(1, -8),
      callLocal(1),
      exit(),
      ldx64(2, 1, 0),
      ldx64(0, 2, 8),
      exit(),
    );
    expect(r.problems.map((p) => [p.insn, p.code])).toEqual([[5, 'static/context-flow']]);
  });

  it('reaches a fixpoint on loops', () => {
    // r2 = fp; loop: r2 += -8; *(r2 + 0) = r1; if r3 != 0 goto loop; r4 = *(fp - 800); r0 = *(r4 + 72)
    const r = analyze(
      mov(2, 10),
      addImm(2, -8),
      stx64(2, 0, 1),
      jneImm(3, 0, -3),
      ldx64(4, 10, -800),
      ldx64(0, 4, 72),
      exit(),
    );
    // The slot offset widens to "somewhere on the stack": storing the context there is refused.
    expect(r.problems.map((p) => p.code)).toContain('static/context-flow');
  });

  it('refuses jumps out of the section', () => {
    expect(analyze(ja(5), exit()).problems.map((p) => p.insn)).toEqual([0]);
  });
});

const codes = (r: FlowResult) => r.problems.map((p) => [p.insn, p.code]);

describe('atomics on a slot that holds the context pointer', () => {
  const FETCHING = {
    fetch_add: 0x01,
    fetch_or: 0x41,
    fetch_and: 0x51,
    fetch_xor: 0xa1,
    xchg: 0xe1,
  };
  for (const [name, imm] of Object.entries(FETCHING)) {
    it(`refuses ${name}, which hands the context pointer back`, () => {
      // *(fp-8) = ctx; r2 = 0; r2 = atomic(fp-8, r2); r0 = *(r2 + 4096)
      const r = analyze(
        stx64(10, -8, 1),
        movImm(2, 0),
        atomic64(10, -8, 2, imm),
        ldx64(0, 2, 4096),
        exit(),
      );
      expect(codes(r)).toEqual([[2, 'static/context-flow']]);
      expect(r.problems[0].message).toContain('may hold the context pointer');
    });
  }

  it('refuses cmpxchg, which hands it back in r0', () => {
    const r = analyze(
      stx64(10, -8, 1),
      movImm(0, 0),
      movImm(2, 0),
      atomic64(10, -8, 2, 0xf1),
      ldx64(3, 0, 4096),
      exit(),
    );
    expect(codes(r)).toEqual([[3, 'static/context-flow']]);
  });

  it('refuses a plain atomic add, which would turn it into a moved pointer', () => {
    const r = analyze(stx64(10, -8, 1), movImm(2, 4096), atomic64(10, -8, 2, 0x00), exit());
    expect(codes(r)).toEqual([[2, 'static/context-flow']]);
  });

  it('passes the same atomics on a slot that holds a number', () => {
    for (const imm of [0x00, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]) {
      const r = analyze(
        movImm(2, 5),
        stx64(10, -8, 2),
        atomic64(10, -8, 2, imm),
        ldx64(0, 1, 16),
        exit(),
      );
      expect(r.problems).toEqual([]);
    }
  });
});

describe('load-acquire, store-release and unknown atomics', () => {
  it('reads load-acquire as a load: from the context, and of a spilled context pointer', () => {
    const direct = analyze(atomic64(2, 4096, 1, 0x100), exit());
    expect(reads(direct)).toEqual([[0, 4096, 8]]);
    const spilled = analyze(
      stx64(10, -8, 1),
      atomic64(2, -8, 10, 0x100),
      ldx64(0, 2, 4096),
      exit(),
    );
    expect(reads(spilled)).toEqual([[2, 4096, 8]]);
    expect(reads(analyze(atomic64(2, 24, 1, 0x100), exit()))).toEqual([[0, 24, 8]]);
  });

  it('reads store-release as a store: a spill of the context pointer that is reloaded', () => {
    const r = analyze(atomic64(10, -8, 1, 0x110), ldx64(2, 10, -8), ldx64(0, 2, 4096), exit());
    expect(reads(r)).toEqual([[2, 4096, 8]]);
  });

  it('refuses every atomic imm it does not model', () => {
    for (const imm of [0x02, 0x20, 0xe0, 0xf0, 0x101, 0x111, 0x120, -1]) {
      const r = analyze(movImm(2, 0), stx64(10, -8, 2), atomic64(10, -8, 2, imm), exit());
      expect(codes(r)).toEqual([[2, 'static/bad-insn']]);
    }
  });
});

describe('stores that may or may not hit a stack slot', () => {
  it('keeps the spilled context pointer when the store may have gone to a map value', () => {
    // r6 = map value or NULL; *(fp-8) = ctx; r2 = fp-8; if r7 == 0 goto +1; r2 = r6;
    // *(r2 + 0) = 0; r3 = *(fp-8); r0 = *(r3 + 4096)
    const r = analyze(
      mov(9, 1),
      movImm(1, 0),
      call(1),
      mov(6, 0),
      stx64(10, -8, 9),
      mov(2, 10),
      addImm(2, -8),
      jneImm(7, 0, 1),
      mov(2, 6),
      insn(0x7a, 2, 0, 0, 0),
      ldx64(3, 10, -8),
      ldx64(0, 3, 4096),
      exit(),
    );
    expect(reads(r)).toEqual([[11, 4096, 8]]);
  });

  it('forgets it when the store certainly lands on the slot', () => {
    const r = analyze(
      stx64(10, -8, 1),
      mov(2, 10),
      addImm(2, -8),
      insn(0x7a, 2, 0, 0, 0),
      ldx64(3, 10, -8),
      ldx64(0, 3, 4096),
      exit(),
    );
    expect(reads(r)).toEqual([]);
  });
});

describe('calls as libbpf links them', () => {
  const sections = (text: Buffer, prog: Buffer, relocs = new Map()) =>
    new Map<number, CodeSection>([
      [1, { index: 1, name: '.text', data: text, relocs: new Map() }],
      [2, { index: 2, name: 'tp', data: prog, relocs }],
    ]);
  const opts = (functions: Map<number, { start: number; end: number }[]>) => ({
    helperArgs: () => 5,
    text: 1,
    functions,
  });

  it('refuses a call with no relocation from a program section', () => {
    const secs = sections(
      Buffer.concat([ldx64(0, 1, 4000), exit()]),
      Buffer.concat([insn(0x85, 0, 1, 0, -1), exit()]),
    );
    const r = ContextFlow.analyze(
      secs,
      2,
      0,
      opts(
        new Map([
          [1, [{ start: 0, end: 2 }]],
          [2, [{ start: 0, end: 2 }]],
        ]),
      ),
      2,
    );
    expect(codes(r)).toEqual([[0, 'static/call']]);
  });

  it('follows a relocated call to the start of a .text function, and refuses one into its middle', () => {
    const text = Buffer.concat([ldx64(0, 1, 4000), movImm(0, 0), exit()]);
    const sym = { name: '.text', value: 0, size: 0, type: 3, bind: 0, shndx: 1 };
    const fns = new Map([
      [1, [{ start: 0, end: 3 }]],
      [2, [{ start: 0, end: 2 }]],
    ]);
    const ok = ContextFlow.analyze(
      sections(text, Buffer.concat([insn(0x85, 0, 1, 0, -1), exit()]), new Map([[0, sym]])),
      2,
      0,
      opts(fns),
      2,
    );
    expect(reads(ok)).toEqual([[0, 4000, 8]]);
    const middle = ContextFlow.analyze(
      sections(text, Buffer.concat([insn(0x85, 0, 1, 0, 0), exit()]), new Map([[0, sym]])),
      2,
      0,
      opts(fns),
      2,
    );
    expect(codes(middle)).toEqual([[0, 'static/call']]);
  });

  it('keeps each function inside its own bounds', () => {
    const r = ContextFlow.analyze(
      sections(Buffer.alloc(0), Buffer.concat([ja(1), exit(), exit()])),
      2,
      0,
      opts(new Map([[2, [{ start: 0, end: 2 }]]])),
      2,
    );
    expect(codes(r)).toEqual([[0, 'static/context-flow']]);
  });
});

describe('raw 64-bit loads', () => {
  it('refuses pseudo sources 1-6 without a relocation, and passes a plain constant', () => {
    for (const src of [1, 2, 3, 5, 6])
      expect(codes(analyze(ldImm64(2, src, 3), exit()))).toEqual([[0, 'static/raw-load']]);
    expect(codes(analyze(ldImm64(2, 4, 3), exit()))).toEqual([[0, 'static/callback']]);
    expect(analyze(ldImm64(2, 0, 3), exit()).problems).toEqual([]);
    // r10 stays the frame pointer, or the stack the checks follow would not be the real one.
    expect(codes(analyze(stx64(10, -8, 1), ldImm64(10, 0, 0), ldx64(2, 10, -8), exit()))).toEqual([
      [1, 'static/bad-insn'],
    ]);
  });
});

describe('kernel addresses', () => {
  // r0 = map value (from a lookup) in every case below.
  const lookup = [movImm(1, 0), call(1)];

  it('refuses storing a stack address, or bits of one, into a map value', () => {
    expect(codes(analyze(...lookup, mov(2, 10), stx64(0, 0, 2), exit()))).toEqual([
      [3, 'static/address-leak'],
    ]);
    expect(codes(analyze(...lookup, mov(2, 10), mov32(2, 2), stx64(0, 0, 2), exit()))).toEqual([
      [4, 'static/address-leak'],
    ]);
    expect(codes(analyze(...lookup, stx64(0, 0, 0), exit()))).toEqual([[2, 'static/address-leak']]);
  });

  it('refuses reading a spilled pointer back byte by byte into a map value', () => {
    const r = analyze(
      ...lookup,
      stx64(10, -8, 0),
      insn(0x71, 3, 10, -8, 0),
      insn(0x73, 0, 3, 0, 0),
      exit(),
    );
    expect(codes(r)).toEqual([[4, 'static/address-leak']]);
  });

  it('refuses handing a helper stack memory that holds an address', () => {
    // *(fp-8) = 0; *(fp-16) = fp; r1 = map; r2 = fp-8 (key); r3 = fp-16 (value); map_update_elem
    const r = analyze(
      movImm(4, 0),
      stx64(10, -8, 4),
      mov(2, 10),
      stx64(10, -16, 2),
      movImm(1, 0),
      mov(2, 10),
      addImm(2, -8),
      mov(3, 10),
      addImm(3, -16),
      call(2),
      exit(),
    );
    expect(codes(r)).toEqual([[9, 'static/address-leak']]);
  });

  it('refuses comparing an address with anything but NULL', () => {
    expect(codes(analyze(...lookup, jgtImm(0, 5, 0), exit()))).toEqual([
      [2, 'static/address-leak'],
    ]);
    expect(analyze(...lookup, jneImm(0, 0, 0), exit()).problems).toEqual([]);
    // Two places in the same frame may be compared: the outcome depends on offsets only.
    expect(
      analyze(mov(2, 10), addImm(2, -8), mov(3, 10), jeqReg(2, 3, 0), exit()).problems,
    ).toEqual([]);
  });

  it('keeps numbers made from an address out of partial stores over a spilled pointer', () => {
    const r = analyze(
      ...lookup,
      stx64(10, -8, 0),
      movImm(2, 0),
      stx32(10, -8, 2),
      ldx64(3, 10, -8),
      insn(0x7b, 0, 3, 0, 0),
      exit(),
    );
    expect(codes(r)).toEqual([[6, 'static/address-leak']]);
  });
});

describe('stack bytes never written', () => {
  const UNINIT = 'static/uninitialised-stack';
  const stb = (dst: number, off: number, src: number) => insn(0x73, dst, src, off, 0);
  const zero = (off: number) => [movImm(5, 0), stx64(10, off, 5)];
  /** r1 = a map; r2 = fp + at; r3 = size; r4 = 0; call bpf_ringbuf_output. */
  const output = (at: number, size: number) => [
    movImm(1, 0),
    mov(2, 10),
    addImm(2, at),
    movImm(3, size),
    movImm(4, 0),
    call(130),
  ];

  it('refuses an eight-byte load of a slot of which one byte was written', () => {
    const r = analyze(movImm(2, 7), stb(10, -8, 2), ldx64(3, 10, -8), exit());
    expect(codes(r)).toEqual([[2, UNINIT]]);
    expect(r.problems[0].message).toMatch(/never written.*= \{\}.*__builtin_memset/);
    // The byte that was written may be read, and all eight once all are.
    expect(
      analyze(movImm(2, 7), stb(10, -8, 2), insn(0x71, 3, 10, -8, 0), exit()).problems,
    ).toEqual([]);
    expect(analyze(...zero(-8), ldx64(3, 10, -8), exit()).problems).toEqual([]);
  });

  it('refuses a load of bytes written on one path only', () => {
    const r = analyze(jneImm(2, 0, 2), ...zero(-8), ldx64(3, 10, -8), exit());
    expect(codes(r)).toEqual([[3, UNINIT]]);
  });

  it('refuses handing bpf_ringbuf_output a record with a hole, a padding or a slot never written', () => {
    // 16 bytes at fp-16: only the upper slot written.
    const hole = analyze(...zero(-8), ...output(-16, 16), exit());
    expect(codes(hole)).toEqual([[7, UNINIT]]);
    expect(hole.problems[0].message).toMatch(/^hands bpf_ringbuf_output stack bytes/);
    // {u32; u64}: the four bytes after the u32 are never written.
    const padding = analyze(
      movImm(5, 1),
      stx32(10, -16, 5),
      ...zero(-8),
      ...output(-16, 16),
      exit(),
    );
    expect(codes(padding)).toEqual([[9, UNINIT]]);
    expect(analyze(...zero(-16), ...zero(-8), ...output(-16, 16), exit()).problems).toEqual([]);
  });

  it('refuses a map update whose value was never written', () => {
    // r1 = a map (no relocation here, so the value size is unknown: its first byte is checked).
    const r = analyze(
      ...zero(-8),
      movImm(1, 0),
      mov(2, 10),
      addImm(2, -8),
      mov(3, 10),
      addImm(3, -16),
      movImm(4, 0),
      call(2),
      exit(),
    );
    expect(codes(r)).toEqual([[8, UNINIT]]);
  });

  it('counts bpf_probe_read_user as writing its buffer, but not the string reads', () => {
    const read = (id: number) => [
      mov(1, 10),
      addImm(1, -16),
      movImm(2, 16),
      movImm(3, 0),
      call(id),
    ];
    expect(analyze(...read(112), ...output(-16, 16), exit()).problems).toEqual([]);
    // bpf_probe_read_user_str leaves the bytes after the NUL as they were.
    expect(codes(analyze(...read(114), ...output(-16, 16), exit()))).toEqual([[10, UNINIT]]);
    expect(
      analyze(...zero(-16), ...zero(-8), ...read(114), ...output(-16, 16), exit()).problems,
    ).toEqual([]);
  });

  it("refuses bpf_strncmp's string and bpf_snprintf's arguments never written", () => {
    // bpf_strncmp(fp - 8, 8, r3)
    const strncmp = [mov(1, 10), addImm(1, -8), movImm(2, 8), movImm(3, 0), call(182), exit()];
    expect(codes(analyze(...strncmp))).toEqual([[4, UNINIT]]);
    expect(analyze(...zero(-8), ...strncmp).problems).toEqual([]);
    // bpf_snprintf(r1, 0, r3, fp - 16, 16): the argument array.
    const snprintf = [
      movImm(1, 0),
      movImm(2, 0),
      movImm(3, 0),
      mov(4, 10),
      addImm(4, -16),
      movImm(5, 16),
      call(165),
      exit(),
    ];
    expect(codes(analyze(...zero(-8), ...snprintf))).toEqual([[8, UNINIT]]);
  });

  it("refuses a subprogram's own slot never written handed to bpf_ringbuf_output", () => {
    const r = analyze(callLocal(1), exit(), ...zero(-8), ...output(-16, 8), exit());
    expect(codes(r)).toEqual([[9, UNINIT]]);
  });

  it("follows a pointer into the caller's stack: bytes the caller never wrote are refused", () => {
    // main: r1 = fp-16; call sub; sub: r0 = *(u64 *)(r1 + 8) (the caller's fp-8).
    const sub = (load: number) => [
      mov(1, 10),
      addImm(1, -16),
      callLocal(1),
      exit(),
      ldx64(0, 1, load),
      exit(),
    ];
    expect(codes(analyze(...sub(0)))).toEqual([[4, UNINIT]]);
    expect(analyze(...zero(-16), ...sub(0)).problems).toEqual([]);
    expect(codes(analyze(...zero(-16), ...sub(8)))).toEqual([[6, UNINIT]]);
    // The callee hands the caller's bytes to a helper.
    const handed = analyze(
      ...zero(-8),
      mov(1, 10),
      addImm(1, -16),
      callLocal(1),
      exit(),
      mov(2, 1),
      movImm(1, 0),
      movImm(3, 16),
      movImm(4, 0),
      call(130),
      exit(),
    );
    expect(codes(handed)).toEqual([[10, UNINIT]]);
  });

  it('checks only the first byte handed to a helper with a length computed at run time', () => {
    // bpf_ringbuf_output(r1, fp - 16, r3 unknown, 0): fp - 16 written, fp - 8 not.
    const unknownLength = [
      movImm(1, 0),
      mov(2, 10),
      addImm(2, -16),
      mov(3, 6),
      movImm(4, 0),
      call(130),
      exit(),
    ];
    expect(analyze(...zero(-16), ...unknownLength).problems).toEqual([]);
    expect(codes(analyze(...zero(-8), ...unknownLength))).toEqual([[7, UNINIT]]);
  });

  it('does not check a load at a position the checks cannot tell (an array indexed by a number)', () => {
    // Any byte of the frame could be meant; clang's zeroing covers C code. A known gap, pinned.
    const anywhere = [mov(3, 10), addImm(3, -8), addReg(3, 2), ldx64(0, 3, 0), exit()];
    expect(analyze(...anywhere).problems).toEqual([]);
  });

  it('refuses an atomic add on a slot never written', () => {
    expect(codes(analyze(movImm(2, 1), atomic64(10, -8, 2, 0x00), exit()))).toEqual([[1, UNINIT]]);
    expect(analyze(...zero(-8), movImm(2, 1), atomic64(10, -8, 2, 0x00), exit()).problems).toEqual(
      [],
    );
  });
});

describe('recordSize', () => {
  it('is the end of the last field of a tracepoint format', () => {
    const format = [
      'name: sys_enter_read',
      'format:',
      '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
      '\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;',
      '\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;',
      '\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;',
      '\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;',
      '',
      'print fmt: "fd: 0x%08lx"',
    ].join('\n');
    expect(recordSize(format)).toBe(40);
    expect(() => recordSize('name: x\n')).toThrow();
  });
});
