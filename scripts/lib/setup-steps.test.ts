// The header steps of the set-up for real (bpftool, clang), in a build dir of the test's own
// under /tmp: whatever happens to the headers between two set-ups, the PCH the set-up leaves
// compiles. The compile is asked to report any PCH it had to repair itself, and must not have:
// the set-up, not the runtime repair, is under test.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../packages/runner/src/compile/index.ts';
import { logTo } from './log.mjs';
import { labHeader, labPaths, pch, targets, vmlinuxHeader } from './setup.mjs';
import { Stamps } from './stamps.mjs';
import { partFiles } from './vmlinux-parts.mjs';

const root = join(import.meta.dirname, '..', '..');
const BTF_PATH = '/sys/kernel/btf/vmlinux';
const PROGRAM = `#include "lab.h"
SEC("tracepoint/syscalls/sys_enter_getppid")
int hello(void *ctx)
{
\tchar msg[] = "hi";
\tSUBMIT(msg, 2);
\treturn 0;
}
`;

let parent: string;
let build: string;
let printed: string[] = [];

beforeAll(() => {
  // A space in the path, as a checkout may have.
  parent = mkdtempSync(join(tmpdir(), 'lab setup-'));
  build = join(parent, 'build');
  logTo({ write: (text: string) => printed.push(text) });
});

afterAll(() => {
  logTo(process.stdout);
  rmSync(parent, { recursive: true, force: true });
});

/** Runs the header steps; returns what each printed, by step name. */
async function headerSteps(): Promise<Record<string, string>> {
  printed = [];
  const p = labPaths(root, build);
  const stamps = new Stamps(p.stamps);
  await vmlinuxHeader(p, stamps);
  labHeader(p, stamps);
  await pch(p, stamps);
  return Object.fromEntries(
    printed.map((l) => {
      const m = /^lab: (\S+)\s+(.*)\n$/.exec(l);
      return [m?.[1] ?? l, m?.[2] ?? l];
    }),
  );
}

/** Compiles with the set-up's PCH and fails if the compile had to repair it. */
async function compilesWithoutRepair(): Promise<void> {
  const p = labPaths(root, build);
  const repairs: string[] = [];
  const r = await compile(PROGRAM, {
    includeDir: p.include,
    pch: p.pch,
    log: (m) => repairs.push(m),
  });
  expect(r.diagnostics).toEqual([]);
  expect(r.ok).toBe(true);
  expect(repairs).toEqual([]);
}

function later(path: string): void {
  const t = new Date(Date.now() + 60_000);
  utimesSync(path, t, t);
}

describe('set-up of the headers and the PCH', { timeout: 180_000 }, () => {
  it('builds vmlinux.h, lab.h and a PCH that compiles', async () => {
    const steps = await headerSteps();
    expect(steps['vmlinux.h']).toMatch(/^generated from the running kernel/);
    expect(steps['lab.h']).toBe('copied');
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });

  it("cuts vmlinux.h into parts that put together are bpftool's text", () => {
    const p = labPaths(root, build);
    const bpftool = execFileSync('bpftool', ['btf', 'dump', 'file', BTF_PATH, 'format', 'c'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const parts = partFiles(p.include);
    expect(parts.length).toBeGreaterThan(10);
    const expanded = readFileSync(p.vmlinux, 'utf8').replace(
      /^#include "(vmlinux\.d\/[^"]+)"\n/gm,
      (_, name: string) => readFileSync(join(p.include, name), 'utf8'),
    );
    expect(expanded === bpftool).toBe(true);
  });

  it('skips every step when nothing changed, and leaves the files alone', async () => {
    const p = labPaths(root, build);
    const times = [p.vmlinux, p.labHeader, p.pch].map((f) => statSync(f).mtimeMs);
    expect(await headerSteps()).toEqual({
      'vmlinux.h': 'up to date',
      'lab.h': 'up to date',
      pch: 'up to date',
    });
    expect([p.vmlinux, p.labHeader, p.pch].map((f) => statSync(f).mtimeMs)).toEqual(times);
  });

  it('still compiles after vmlinux.h is touched: the PCH is rebuilt', async () => {
    later(labPaths(root, build).vmlinux);
    const steps = await headerSteps();
    expect(steps['vmlinux.h']).toBe('up to date');
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });

  it('still compiles after vmlinux.h is rewritten with other bytes: both are made again', async () => {
    const p = labPaths(root, build);
    const original = readFileSync(p.vmlinux);
    writeFileSync(p.vmlinux, Buffer.concat([original, Buffer.from('\nstruct edited_by_hand;\n')]));
    const steps = await headerSteps();
    expect(steps['vmlinux.h']).toMatch(/^generated from the running kernel/);
    expect(readFileSync(p.vmlinux).equals(original)).toBe(true);
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });

  it('makes a part edited or removed by hand again, and rebuilds the PCH', async () => {
    const p = labPaths(root, build);
    const [first, second] = partFiles(p.include);
    const original = readFileSync(first);
    writeFileSync(first, Buffer.concat([original, Buffer.from('\nstruct edited_by_hand;\n')]));
    rmSync(second);
    const steps = await headerSteps();
    expect(steps['vmlinux.h']).toMatch(/^generated from the running kernel/);
    expect(readFileSync(first).equals(original)).toBe(true);
    expect(partFiles(p.include)).toContain(second);
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });

  it('still compiles after a part of vmlinux.h is touched: the PCH is rebuilt', async () => {
    const p = labPaths(root, build);
    later(partFiles(p.include)[5]);
    const steps = await headerSteps();
    expect(steps['vmlinux.h']).toBe('up to date');
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });

  it('still compiles after lab.h is rewritten with the same bytes', async () => {
    const p = labPaths(root, build);
    writeFileSync(p.labHeader, readFileSync(p.labHeader));
    later(p.labHeader);
    const steps = await headerSteps();
    expect(steps['lab.h']).toBe('up to date');
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });

  it('after a move keeps the headers and rebuilds only the PCH, which records their paths', async () => {
    const moved = join(parent, 'moved build');
    renameSync(build, moved);
    build = moved;
    const steps = await headerSteps();
    expect(steps['vmlinux.h']).toBe('up to date');
    expect(steps['lab.h']).toBe('up to date');
    expect(steps.pch).toMatch(/^built/);
    await compilesWithoutRepair();
  });
});

describe('set-up of the targets', { timeout: 180_000 }, () => {
  /** Whether an ELF file names a program interpreter (is dynamically linked). */
  function dynamic(path: string): boolean {
    const elf = readFileSync(path);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    const phoff = Number(elf.readBigUInt64LE(0x20));
    const phentsize = elf.readUInt16LE(0x36);
    const phnum = elf.readUInt16LE(0x38);
    for (let i = 0; i < phnum; i++)
      if (elf.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return true;
    return false;
  }

  it('links a target statically unless the exercise lets uprobes probe it', async () => {
    const p = labPaths(root, build);
    await targets(p, new Stamps(p.stamps));
    const ids = readdirSync(p.templates).filter((id) =>
      existsSync(join(p.templates, id, 'exercise.json')),
    );
    const linking = Object.fromEntries(
      ids.map((id) => [id, dynamic(join(p.targets, id, 'target'))]),
    );
    // libc's getenv is probed in the shared libc; the target's own functions in the target
    expect(linking).toMatchObject({
      'library-getenv': true,
      'function-argument': true,
      'function-return': true,
      'read-file-password': false,
      'platform-tour': false,
    });
    for (const id of ids) {
      const sections: string[] = JSON.parse(
        readFileSync(join(p.templates, id, 'exercise.json'), 'utf8'),
      ).sections;
      expect(linking[id], id).toBe(sections.some((s) => /^u(ret)?probe\//.test(s)));
    }
  });
});
