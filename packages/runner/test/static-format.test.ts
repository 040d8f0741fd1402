// DEBUG goes through bpf_snprintf, whose %s and %p read any address the program passes: the
// static checks must refuse such formats before load. Compiled for real, never loaded.
import { ExerciseMeta } from '@ebpf-lab/exercises';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/index.ts';
import { checkObject, rulesFor } from '../src/static-check/index.ts';

const meta = ExerciseMeta.parse({
  id: 'fmt',
  chapter: 0,
  chapterTitle: 't',
  order: 0,
  title: 't',
  summary: 's',
  sections: ['tracepoint/syscalls/sys_enter_read'],
  scenarios: [{ id: 'a', title: 'a' }],
  checks: [{ id: 'c', title: 'c', kind: 'debug-present', hint: 'h' }],
});

const program = (debugLine: string) => `#include "lab.h"
SEC("tracepoint/syscalls/sys_enter_read")
int on_read(struct trace_event_raw_sys_enter *ctx)
{
	unsigned long fd = ctx->args[0];
	${debugLine}
	return 0;
}
`;

async function check(debugLine: string) {
  const compiled = await compile(program(debugLine));
  expect(compiled.log).toBe('');
  expect(compiled.ok).toBe(true);
  return checkObject(compiled.object!, await rulesFor(meta));
}

describe('static check of DEBUG formats', () => {
  it('accepts number conversions', async () => {
    const r = await check('DEBUG("read on fd %lu (%x) %c", fd, fd, 65);');
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('refuses %s, which would read kernel memory through a number', async () => {
    const r = await check('DEBUG("name %s", fd);');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code: 'static/format' });
    expect(r.diagnostics[0].message).toContain('%s');
  });

  it('refuses %p forms', async () => {
    const r = await check('DEBUG("at %pK", fd);');
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toContain('static/format');
  });
});
