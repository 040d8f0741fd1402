import { describe, expect, it } from 'vitest';
import { ContextFlow } from './context-flow.ts';
import type { CodeSection, FlowResult } from './context-flow.ts';
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

function analyze(...code: Buffer[]): FlowResult {
  const sec: CodeSection = { index: 1, name: 'tp', data: Buffer.concat(code), relocs: new Map() };
  return ContextFlow.analyze(new Map([[1, sec]]), 1, 0, (id) => (id === 1 ? 2 : id === 14 ? 0 : 5));
}
const reads = (r: FlowResult) => r.accesses.map((a) => [a.insn, a.off, a.size]);

describe('context data-flow', () => {
  it('finds loads through copies of r1 kept across helper calls', () => {
    const r = analyze(mov(6, 1), call(14), ldx64(0, 6, 24), ldx32(2, 6, 8), exit());
    expect(reads(r)).toEqual([[2, 24, 8], [3, 8, 4]]);
    expect(r.problems).toEqual([]);
  });

  it('finds loads through a spilled and reloaded context pointer', () => {
    const r = analyze(stx64(10, -16, 1), movImm(1, 0), ldx64(3, 10, -16), ldx64(0, 3, 56), exit());
    expect(reads(r)).toEqual([[3, 56, 8]]);
  });

  it('forgets a slot once it is overwritten with something else', () => {
    const r = analyze(stx64(10, -8, 1), movImm(2, 0), stx64(10, -8, 2), ldx64(3, 10, -8), ldx64(0, 3, 999), exit());
    expect(reads(r)).toEqual([]);
  });

  it('follows a stack pointer kept in another register', () => {
    const r = analyze(mov(2, 10), addImm(2, -24), stx64(2, 0, 1), ldx64(4, 10, -24), ldx64(0, 4, 100), exit());
    expect(reads(r)).toEqual([[4, 100, 8]]);
  });

  it('refuses storing the context anywhere but its own stack', () => {
    // r0 = map value (from a lookup), *(r0 + 0) = ctx.
    const r = analyze(mov(6, 1), movImm(1, 0), call(1), jneImm(0, 0, 1), exit(), stx64(0, 0, 6), exit());
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

  it('refuses a subprogram reading a caller stack that holds the context', () => {
    // main: *(fp-8) = ctx; r1 = fp-8; call sub; exit.  sub: r2 = *(r1 + 0); r0 = *(r2 + 8); exit.
    const r = analyze(stx64(10, -8, 1), mov(1, 10), addImm(1, -8), callLocal(1), exit(), ldx64(2, 1, 0), ldx64(0, 2, 8), exit());
    expect(r.problems.map((p) => [p.insn, p.code])).toEqual([[5, 'static/context-flow']]);
  });

  it('reaches a fixpoint on loops', () => {
    // r2 = fp; loop: r2 += -8; *(r2 + 0) = r1; if r3 != 0 goto loop; r4 = *(fp - 800); r0 = *(r4 + 72)
    const r = analyze(mov(2, 10), addImm(2, -8), stx64(2, 0, 1), jneImm(3, 0, -3), ldx64(4, 10, -800), ldx64(0, 4, 72), exit());
    // The slot offset widens to "somewhere on the stack": storing the context there is refused.
    expect(r.problems.map((p) => p.code)).toContain('static/context-flow');
  });

  it('refuses jumps out of the section', () => {
    expect(analyze(ja(5), exit()).problems.map((p) => p.insn)).toEqual([0]);
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
