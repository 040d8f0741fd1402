// The set-up script's pure parts: stamps, lockfile staleness, mount parsing, the test summary.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { npmStaleReason } from './npm-deps.mjs';
import { findCgroup2, isMounted, mounts } from './preflight.mjs';
import { Stamps, hashInputs, replaceIfChanged } from './stamps.mjs';
import { countTests, summaryLine } from './test-summary.mjs';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-setup-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('stamps', () => {
  it('changes the hash when a file, a file name or a value changes', () => {
    const root = tmp();
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.c'), 'int a;');
    const h1 = hashInputs([join(root, 'src'), '=clang 14']);
    expect(hashInputs([join(root, 'src'), '=clang 14'])).toBe(h1);
    expect(hashInputs([join(root, 'src'), '=clang 15'])).not.toBe(h1);
    writeFileSync(join(root, 'src', 'a.c'), 'int b;');
    const h2 = hashInputs([join(root, 'src'), '=clang 14']);
    expect(h2).not.toBe(h1);
    writeFileSync(join(root, 'src', 'b.c'), '');
    expect(hashInputs([join(root, 'src'), '=clang 14'])).not.toBe(h2);
  });

  it('hashes the same inputs alike wherever they live (a moved checkout is up to date)', () => {
    const a = tmp();
    const b = join(tmp(), 'deeper', 'with space');
    for (const dir of [a, b]) {
      mkdirSync(join(dir, 'src'), { recursive: true });
      writeFileSync(join(dir, 'src', 'a.c'), 'int a;');
      writeFileSync(join(dir, 'lab.h'), '#pragma once');
    }
    const inputs = (dir: string) => [join(dir, 'src'), join(dir, 'lab.h'), '=v1'];
    expect(hashInputs(inputs(a))).toBe(hashInputs(inputs(b)));
    // but which input a file came in as still counts
    expect(hashInputs([join(a, 'lab.h'), join(a, 'src')])).not.toBe(
      hashInputs(inputs(a).slice(0, 2)),
    );
  });

  it('is fresh only with the same hash and every output holding the bytes it was stamped with', () => {
    const root = tmp();
    const stamps = new Stamps(join(root, '.stamps'));
    const out = join(root, 'out');
    expect(stamps.fresh('x', 'h', [out])).toBe(false);
    writeFileSync(out, 'built');
    stamps.write('x', 'h', [out]);
    expect(stamps.fresh('x', 'h', [out])).toBe(true);
    expect(stamps.fresh('x', 'other', [out])).toBe(false);
    writeFileSync(out, 'edited by hand');
    expect(stamps.fresh('x', 'h', [out])).toBe(false);
    rmSync(out);
    expect(stamps.fresh('x', 'h', [out])).toBe(false);
  });

  it('replaces a generated file only when its bytes changed, keeping its time otherwise', () => {
    const root = tmp();
    const dest = join(root, 'vmlinux.h');
    writeFileSync(dest, 'struct a;');
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    utimesSync(dest, old, old);
    writeFileSync(join(root, 'same.tmp'), 'struct a;');
    expect(replaceIfChanged(join(root, 'same.tmp'), dest)).toBe(false);
    expect(statSync(dest).mtimeMs).toBe(old.getTime());
    expect(existsSync(join(root, 'same.tmp'))).toBe(false);
    writeFileSync(join(root, 'other.tmp'), 'struct b;');
    expect(replaceIfChanged(join(root, 'other.tmp'), dest)).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe('struct b;');
  });
});

describe('npm staleness', () => {
  function project(lock: object, installed?: object) {
    const root = tmp();
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ packages: lock }));
    if (installed) {
      mkdirSync(join(root, 'node_modules'));
      writeFileSync(
        join(root, 'node_modules', '.package-lock.json'),
        JSON.stringify({ packages: installed }),
      );
    }
    return root;
  }
  const lock = {
    '': { name: 'x' },
    'node_modules/zod': { version: '4.1.0' },
    'node_modules/@esbuild/win32-x64': { version: '0.25.0', optional: true },
  };

  it("accepts node_modules that match the lockfile, other platforms' optional packages aside", () => {
    expect(npmStaleReason(project(lock, { 'node_modules/zod': { version: '4.1.0' } }))).toBeNull();
  });

  it('names what is missing or at the wrong version', () => {
    expect(npmStaleReason(project(lock))).toBe('node_modules is missing');
    expect(npmStaleReason(project(lock, {}))).toBe('zod is not installed');
    expect(npmStaleReason(project(lock, { 'node_modules/zod': { version: '3.0.0' } }))).toBe(
      'zod is 3.0.0, the lockfile wants 4.1.0',
    );
  });
});

describe('mounts', () => {
  const hybrid = [
    'sysfs /sys sysfs rw 0 0',
    'tmpfs /sys/fs/cgroup tmpfs ro 0 0',
    'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
    'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0',
    'none /mnt/with\\040space tracefs rw 0 0',
  ].join('\n');

  it('finds cgroup v2 in a hybrid layout, not the v1 hierarchies', () => {
    expect(findCgroup2(mounts(hybrid))).toBe('/sys/fs/cgroup/unified');
    expect(findCgroup2(mounts('cgroup /sys/fs/cgroup/memory cgroup rw 0 0'))).toBeNull();
  });

  it('decodes escaped mount points', () => {
    expect(isMounted('/mnt/with space', 'tracefs', mounts(hybrid))).toBe(true);
    expect(isMounted('/sys/kernel/tracing', 'tracefs', mounts(hybrid))).toBe(false);
  });
});

describe('test summary', () => {
  it('counts files that failed before any test as failures and shows skipped tests', () => {
    const counts = countTests({
      numPassedTests: 5,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 1,
      testResults: [
        { status: 'failed', assertionResults: [{ status: 'failed' }] },
        { status: 'failed', assertionResults: [{ status: 'skipped' }] },
        { status: 'failed', assertionResults: [] },
        { status: 'passed', assertionResults: [{ status: 'passed' }] },
      ],
    });
    expect(counts).toEqual({ passed: 5, failed: 3, skipped: 3 });
    expect(summaryLine(counts)).toBe('5 passed, 3 failed, 3 skipped');
    expect(summaryLine({ passed: 4, failed: 0, skipped: 0 })).toBe('4 passed, 0 failed');
  });
});
