// The precompiled header: built with the compile flags, used inside the sandbox at the same
// path, and a stale one is the platform's error (an exception), never the student's.
import { copyFileSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
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

describe('precompiled lab.h', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    copyFileSync(paths.vmlinuxHeader, join(dir, 'vmlinux.h'));
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
    await expect(buildPch(join(dir, 'missing.h'), join(dir, 'x.pch'), dir)).rejects.toThrow(/missing\.h is missing/);
  });

  it('throws (infrastructure) when the header changed after the PCH was built', async () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(header, later, later);
    // Not from the cache: the headers' content is unchanged, so the cached result is still right.
    await expect(compile(program, { includeDir: dir, pch, cache: false })).rejects.toThrow(/precompiled lab\.h is unusable/);
  });
});
