// The ELF, BTF and instruction readers face bytes the student can shape with inline asm. Bounded
// fuzzing: random buffers and mutations of real objects must give a result (a refusal naming a
// malformed object, or checks on what could be read), never an exception or a hang, and a
// mutated object that passes must still keep every context read inside its record.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPch } from '../src/compile/build-pch.ts';
import { compile } from '../src/compile/index.ts';
import { paths } from '../src/paths.ts';
import { checkObject } from '../src/static-check/index.ts';
import type { StaticRules } from '../src/static-check/index.ts';

const sections = [
  'tracepoint/syscalls/sys_enter_openat',
  'tracepoint/syscalls/sys_exit_openat',
  'tracepoint/syscalls/sys_enter_read',
];
const rules: StaticRules = {
  sections,
  contextSizes: { [sections[0]]: 48, [sections[1]]: 24, [sections[2]]: 40 },
  limits: {
    maxInsns: 4096,
    maxMaps: 8,
    maxMapEntries: 4096,
    maxMapValueBytes: 4096,
    memoryBytes: 64 << 20,
  },
};

/** xorshift32: failures reproduce from the seed in the test name. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function sectionRanges(
  obj: Buffer,
): { name: string; offset: number; size: number; header: number }[] {
  const shoff = Number(obj.readBigUInt64LE(0x28));
  const shnum = obj.readUInt16LE(0x3c);
  const strHeader = shoff + obj.readUInt16LE(0x3e) * 64;
  const strOff = Number(obj.readBigUInt64LE(strHeader + 0x18));
  const out = [];
  for (let i = 1; i < shnum; i++) {
    const h = shoff + i * 64;
    const nameOff = obj.readUInt32LE(h);
    const end = obj.indexOf(0, strOff + nameOff);
    out.push({
      name: obj.toString('latin1', strOff + nameOff, end),
      offset: Number(obj.readBigUInt64LE(h + 0x18)),
      size: Number(obj.readBigUInt64LE(h + 0x20)),
      header: h,
    });
  }
  return out;
}

function expectWellFormed(obj: Buffer): void {
  const r = checkObject(obj, rules);
  expect(typeof r.ok).toBe('boolean');
  expect(Array.isArray(r.diagnostics)).toBe(true);
  if (r.ok) {
    for (const p of r.programs) {
      expect(p.maxContextRead).toBeLessThanOrEqual(rules.contextSizes?.[p.section] ?? 0);
    }
  } else {
    expect(r.diagnostics.some((d) => d.severity === 'error' && d.message.length > 0)).toBe(true);
  }
}

describe('static checks on malformed objects', () => {
  const seeds: Buffer[] = [];

  beforeAll(async () => {
    if (!existsSync(paths.pch)) await buildPch();
    for (const name of ['within-bounds', 'maps-allowed', 'via-subprogram', 'stack-spill']) {
      const src = readFileSync(
        join(import.meta.dirname, 'fixtures', 'static', `${name}.bpf.c`),
        'utf8',
      );
      const r = await compile(src);
      if (!r.object) throw new Error(`${name} did not compile: ${r.log}`);
      seeds.push(r.object);
    }
  });

  it('reads random buffers, with and without an ELF header, as malformed (seed 1)', () => {
    const next = rng(1);
    for (let i = 0; i < 400; i++) {
      const buf = Buffer.alloc(Math.floor(next() * 4096));
      for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(next() * 256);
      if (i % 2 === 0 && buf.length >= 64) {
        seeds[0].copy(buf, 0, 0, 64); // a valid header pointing into random bytes
      }
      const r = checkObject(buf, rules);
      expect(r.ok).toBe(false);
      expect(r.diagnostics[0].code).toBe('static/bad-object');
    }
  });

  it('survives truncations of real objects (seed 2)', () => {
    const next = rng(2);
    for (const seed of seeds) {
      for (let i = 0; i < 100; i++)
        expectWellFormed(seed.subarray(0, Math.floor(next() * seed.length)));
    }
  });

  it('survives random byte flips anywhere in real objects (seed 3)', () => {
    const next = rng(3);
    for (let i = 0; i < 1500; i++) {
      const obj = Buffer.from(seeds[i % seeds.length]);
      const flips = 1 + Math.floor(next() * 8);
      for (let j = 0; j < flips; j++)
        obj[Math.floor(next() * obj.length)] = Math.floor(next() * 256);
      expectWellFormed(obj);
    }
  });

  it('survives extreme section header fields (seed 4)', () => {
    const next = rng(4);
    const extremes = [0n, 1n, 7n, 0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn];
    for (let i = 0; i < 800; i++) {
      const obj = Buffer.from(seeds[i % seeds.length]);
      const secs = sectionRanges(obj);
      const s = secs[Math.floor(next() * secs.length)];
      const field = [0x18, 0x20, 0x28, 0x2c, 0x38][Math.floor(next() * 5)];
      const value =
        next() < 0.5
          ? extremes[Math.floor(next() * extremes.length)]
          : BigInt(Math.floor(next() * obj.length * 2));
      if (field === 0x28 || field === 0x2c)
        obj.writeUInt32LE(Number(value & 0xffffffffn), s.header + field);
      else obj.writeBigUInt64LE(value, s.header + field);
      expectWellFormed(obj);
    }
  });

  it('survives mutations inside .BTF, .BTF.ext, relocations, symbols and code (seed 5)', () => {
    const next = rng(5);
    const targets = /^(\.BTF|\.BTF\.ext|\.rel.*|\.symtab|\.maps|tracepoint\/.*|\.text)$/;
    for (let i = 0; i < 2000; i++) {
      const obj = Buffer.from(seeds[i % seeds.length]);
      const secs = sectionRanges(obj).filter((s) => targets.test(s.name) && s.size > 0);
      const s = secs[Math.floor(next() * secs.length)];
      const flips = 1 + Math.floor(next() * 4);
      for (let j = 0; j < flips; j++) {
        const at = s.offset + Math.floor(next() * s.size);
        // Word-sized writes reach the length and offset fields; bytes reach opcodes and registers.
        if (next() < 0.3 && at + 4 <= s.offset + s.size)
          obj.writeUInt32LE(Math.floor(next() * 0x100000000), at);
        else obj[at] = Math.floor(next() * 256);
      }
      expectWellFormed(obj);
    }
  });
});
