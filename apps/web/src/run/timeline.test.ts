import { describe, expect, it } from 'vitest';
import { failingResult } from './fixtures/run-result.ts';
import { buildTimeline } from './timeline.ts';

describe('syscall timeline', () => {
  const obs = failingResult.observations[0];

  it('follows the fd from open to close and sizes each read', () => {
    const { rows } = buildTimeline(obs);
    expect(rows.map((r) => r.kind)).toEqual(['open', 'read', 'read', 'read', 'close']);
    expect(rows[0]).toMatchObject({ path: '/tmp/password', ret: '3' });
    expect(rows[1]).toMatchObject({ fd: '3', requested: '10', ret: '10', path: '/tmp/password' });
    expect(rows[4]).toMatchObject({ fd: '3', path: '/tmp/password' });
  });

  it('marks the read a submission followed as captured and the unsubmitted data read as missed', () => {
    const { rows, unmatched } = buildTimeline(obs);
    expect(rows[1].captured).toHaveLength(1);
    expect(rows[1].missed).toBe(false);
    expect(rows[2].captured).toHaveLength(0);
    expect(rows[2].missed).toBe(true);
    // End of file (0 bytes) is not a missed read.
    expect(rows[3].missed).toBe(false);
    expect(unmatched).toHaveLength(0);
  });

  it('does not match a submission to a read of another thread', () => {
    const other = { ...obs, submissions: obs.submissions.map((s) => ({ ...s, tid: 999 })) };
    const { rows, unmatched } = buildTimeline(other);
    expect(rows.every((r) => r.captured.length === 0)).toBe(true);
    expect(unmatched).toHaveLength(1);
  });

  it('places rows in microseconds from the first event', () => {
    const { rows, durationUs } = buildTimeline(obs);
    expect(rows[0].atUs).toBe(0);
    expect(rows[2].atUs).toBe(200);
    expect(durationUs).toBe(410);
  });
});
