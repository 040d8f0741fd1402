// The precompiled header: built with the compile flags, used inside the sandbox at the same
// path. A PCH that no longer matches its headers is the platform's fault, never the student's:
// it is rebuilt and the compile retried, and the operator is told.
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPch } from '../src/compile/build-pch.ts';
import { compile } from '../src/compile/index.ts';
import { paths } from '../src/paths.ts';

// A private include dir: the shared build/include must never be disturbed by a test.
const dir = join(paths.buildDir, `test-pch-${process.pid}`);
const header = join(dir, 'lab.h');
const pch = join(dir, 'lab.h.pch');
const program = `#include "lab.h"
SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
\tSUBMIT_NUM(ctx->args[2]);
\treturn 0;
}
`;

/** Moves a file's times a minute on, as `touch` or an identical rewrite would. */
function touch(path: string): void {
  const later = new Date(Date.now() + 60_000);
  utimesSync(path, later, later);
}

describe('precompiled lab.h', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // vmlinux.h includes its parts (set-up cuts it): they come along.
    copyFileSync(paths.vmlinuxHeader, join(dir, 'vmlinux.h'));
    cpSync(join(paths.includeDir, 'vmlinux.d'), join(dir, 'vmlinux.d'), { recursive: true });
    copyFileSync(paths.labHeader, header);
    await buildPch(header, pch, dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles with the PCH inside the sandbox', async () => {
    const r = await compile(program, { includeDir: dir, pch });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('refuses to build from a missing header, saying which', async () => {
    await expect(buildPch(join(dir, 'missing.h'), join(dir, 'x.pch'), dir)).rejects.toThrow(
      /missing\.h is missing/,
    );
  });

  it('rebuilds a PCH older than its header, retries, and tells the operator', async () => {
    const before = statSync(pch).mtimeMs;
    touch(header);
    const logged: string[] = [];
    const r = await compile(program, {
      includeDir: dir,
      pch,
      cache: false,
      log: (m) => logged.push(m),
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /precompiled lab\.h was unusable \(.*modified since the precompiled header.*\); rebuilt/,
    );
    expect(statSync(pch).mtimeMs).toBeGreaterThan(before);
  });

  it('rebuilds a missing PCH', async () => {
    rmSync(pch);
    const logged: string[] = [];
    const r = await compile(program, {
      includeDir: dir,
      pch,
      cache: false,
      log: (m) => logged.push(m),
    });
    expect(r.ok).toBe(true);
    expect(logged).toEqual([expect.stringMatching(/rebuilt/)]);
  });

  it('keeps a header error the student caused as a compile error, without rebuilding', async () => {
    const before = statSync(pch).mtimeMs;
    const logged: string[] = [];
    // Past vmlinux.h's include guard, its types are defined twice: every error is in the header.
    const r = await compile('#undef __VMLINUX_H__\n#include "vmlinux.h"\n', {
      includeDir: dir,
      pch,
      log: (m) => logged.push(m),
    });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'compile/header' }),
    ]);
    expect(logged).toEqual([]);
    expect(statSync(pch).mtimeMs).toBe(before);
  });

  it('throws (infrastructure) when the PCH is broken and cannot be rebuilt', async () => {
    const broken = join(paths.buildDir, `test-pch-broken-${process.pid}`);
    mkdirSync(broken, { recursive: true });
    try {
      writeFileSync(join(broken, 'vmlinux.h'), '');
      writeFileSync(join(broken, 'lab.h'), 'this is not C;\n');
      writeFileSync(join(broken, 'lab.h.pch'), 'not a PCH');
      await expect(
        compile(program, { includeDir: broken, pch: join(broken, 'lab.h.pch'), cache: false }),
      ).rejects.toThrow(/precompiled lab\.h is unusable .* rebuilding it failed/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
