import { afterEach, describe, expect, it, vi } from 'vitest';
import { courseContextForRun, setCourseContext } from './course-context.ts';

const me = vi.hoisted(() => ({ current: null as { id: string } | null }));
vi.mock('./account-api.ts', () => ({ knownMe: () => me.current }));

afterEach(() => {
  localStorage.clear();
  me.current = null;
});

describe('the course a run is sent for', () => {
  it('is the assignment link’s, kept for the next pages of the same account', () => {
    me.current = { id: 'u1' };
    expect(courseContextForRun('?course=c1')).toBe('c1');
    expect(courseContextForRun('')).toBe('c1');
    me.current = { id: 'u2' };
    expect(courseContextForRun('')).toBeUndefined();
  });

  it('is none when signed out, and none once the choice is cleared', () => {
    expect(courseContextForRun('?course=c1')).toBeUndefined();
    me.current = { id: 'u1' };
    setCourseContext('u1', 'c1');
    setCourseContext('u1', null);
    expect(courseContextForRun('')).toBeUndefined();
  });
});
