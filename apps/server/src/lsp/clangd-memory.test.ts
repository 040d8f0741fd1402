// Which memory limit a clangd gets on which machine. The kernel's side (the limit enforced, the
// OOM kill) is tested for real in clangd-bridge.test.ts; here, the choice between cgroup v2, v1
// and the address-space limit, on stand-in cgroup directories.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryCage } from './clangd-memory.ts';

const GIB = 1024 * 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeRoot(controllers: string): string {
  const root = mkdtempSync(join(tmpdir(), 'lab-fake-cgroup-'));
  dirs.push(root);
  writeFileSync(join(root, 'cgroup.controllers'), controllers);
  writeFileSync(join(root, 'cgroup.subtree_control'), '');
  return root;
}

describe('the memory limit chosen for clangd', () => {
  it('uses the v2 memory controller where the root offers it', () => {
    const v2 = fakeRoot('cpuset cpu io memory pids\n');
    const v1 = fakeRoot('');
    const cage = createMemoryCage(GIB, { v2, memory: v1 });
    expect(cage.kind).toBe('cgroup v2');
    expect(cage.cgroup).toMatch(new RegExp(`^${v2}/ebpf-lab/p${process.pid}-clangd-\\d+$`));
    expect(readFileSync(join(cage.cgroup!, 'memory.max'), 'utf8')).toBe(String(GIB));
    // The controller is delegated down to the clangd's cgroup.
    expect(readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8')).toBe('+memory');
    expect(readFileSync(join(v2, 'ebpf-lab', 'cgroup.subtree_control'), 'utf8')).toBe('+memory');
    // The process joins the cgroup before clangd runs.
    const wrapped = cage.wrap('prlimit', ['--as=4294967296', '--', 'bwrap']);
    expect(wrapped.command).toBe('sh');
    expect(wrapped.args).toEqual([
      '-c',
      'echo $$ > "$0" && exec "$@"',
      join(cage.cgroup!, 'cgroup.procs'),
      'prlimit',
      '--as=4294967296',
      '--',
      'bwrap',
    ]);
  });

  it('falls back to the v1 memory hierarchy on a hybrid machine', () => {
    const v2 = fakeRoot('cpuset cpu io pids\n');
    const v1 = fakeRoot('');
    const cage = createMemoryCage(GIB, { v2, memory: v1 });
    expect(cage.kind).toBe('cgroup v1');
    expect(cage.cgroup?.startsWith(join(v1, 'ebpf-lab'))).toBe(true);
    expect(readFileSync(join(cage.cgroup!, 'memory.limit_in_bytes'), 'utf8')).toBe(String(GIB));
  });

  it('falls back to an address-space limit without a writable cgroup', () => {
    const readOnly = fakeRoot('memory\n');
    // A file where the lab's cgroup directory should be: creating cgroups there fails.
    writeFileSync(join(readOnly, 'ebpf-lab'), 'not a directory');
    for (const mounts of [{}, { v2: readOnly }]) {
      const cage = createMemoryCage(GIB, mounts);
      expect(cage.kind).toBe('address space');
      expect(cage.wrap('prlimit', ['--as=4294967296', '--cpu=600'])).toEqual({
        command: 'prlimit',
        args: [`--as=${GIB}`, '--cpu=600'],
      });
      expect(cage.oomKills()).toBe(0);
    }
  });
});
