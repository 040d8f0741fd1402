import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeFirstIssue, firstIssue, newErrorId } from './errors.ts';

describe('firstIssue', () => {
  const Body = z.object({ checks: z.array(z.object({ kind: z.string() })), name: z.string() });

  it('names the first bad field by its dotted path', () => {
    const parsed = Body.safeParse({ checks: [{ kind: 1 }], name: 2 });
    if (parsed.success) throw new Error('parsed');
    expect(firstIssue(parsed.error)).toMatchObject({
      path: ['checks', 0, 'kind'],
      field: 'checks.0.kind',
    });
    expect(describeFirstIssue(parsed.error)).toMatch(/^checks\.0\.kind: /);
  });

  it('gives the message alone when the whole value is wrong', () => {
    const parsed = Body.safeParse('not an object');
    if (parsed.success) throw new Error('parsed');
    expect(firstIssue(parsed.error).field).toBe('');
    expect(describeFirstIssue(parsed.error)).toBe(parsed.error.issues[0].message);
  });
});

describe('newErrorId', () => {
  it('draws 8 hex digits, different each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newErrorId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
  });
});
