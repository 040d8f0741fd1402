// The static checks' outcome is kept for an unchanged resubmission: the same verdict, never
// something an earlier run changed, and a changed file checked afresh. Nothing here is loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/index.ts';
import { createDefaultDeps } from '../src/default-runner.ts';
import { paths } from '../src/paths.ts';

const deps = createDefaultDeps({ log: () => {} });
const meta = deps.exercises.get('read-file-password')!.meta;

async function objectOf(source: string): Promise<Buffer> {
  const r = await compile(source, { cache: false });
  if (!r.ok || !r.object) throw new Error(`did not compile: ${r.log}`);
  return r.object;
}

const durationOf = (facts: unknown) => (facts as { durationMs: number }).durationMs;

describe('static checks of an unchanged resubmission', () => {
  it(
    'give the same outcome as a copy nothing can change, and check a changed file again',
    {
      timeout: 120_000,
    },
    async () => {
      const source = readFileSync(
        join(paths.templatesDir, 'read-file-password', 'solution.bpf.c'),
        'utf8',
      );
      const object = await objectOf(source);
      const first = await deps.checkObject(object, meta, source);
      expect(first.ok).toBe(true);
      first.maps!.length = 0;
      const again = await deps.checkObject(object, meta, source);
      expect(again.maps!.length).toBeGreaterThan(0);
      // Answered from what was kept: the same timing, not a second check.
      expect(durationOf(again.facts)).toBe(durationOf(first.facts));

      const changed = `${source}\n// a comment: another file\n`;
      const other = await deps.checkObject(await objectOf(changed), meta, changed);
      expect(other.ok).toBe(true);
      expect(durationOf(other.facts)).not.toBe(durationOf(first.facts));
    },
  );

  it('refuse a refused file again, with its diagnostics intact', { timeout: 120_000 }, async () => {
    // Reads far past any tracepoint record: refused by the static checks, never loaded.
    const source = `#include "lab.h"
SEC("tracepoint/syscalls/sys_enter_openat")
int f(struct trace_event_raw_sys_enter *ctx)
{
\tSUBMIT_NUM(*(long *)((char *)ctx + 4096));
\treturn 0;
}
`;
    const object = await objectOf(source);
    const first = await deps.checkObject(object, meta, source);
    expect(first.ok).toBe(false);
    const message = first.diagnostics[0].message;
    first.diagnostics[0].message = 'changed by an earlier run';
    const again = await deps.checkObject(object, meta, source);
    expect(again.ok).toBe(false);
    expect(again.diagnostics[0].message).toBe(message);
  });
});
