import { ExerciseDetail, ExerciseSummary } from '@ebpf-lab/protocol/exercises';
import { describe, expect, it } from 'vitest';
import { isExerciseDetail, isExerciseSummary } from './exercises.ts';

const summary = {
  id: 'read-file-password',
  chapter: 2,
  chapterTitle: 'Files',
  order: 1,
  title: 'Who reads the password file?',
  summary: 'Trace openat.',
};
const detail = {
  ...summary,
  instructions: '# Read\n\nText.',
  starter: 'int x;\n',
  helpers: [{ name: 'bpf_probe_read', signature: 'long f(void)', description: 'Reads.' }],
  checks: [{ id: 'c1', title: 'Sees the read', required: true }],
};

/** Each way of breaking one field of a valid value. */
function breakings(value: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const key of Object.keys(value)) {
    const { [key]: _, ...without } = value;
    out.push(without);
    for (const bad of [null, 7.5, 'text', true, [], {}, [{}]])
      if (JSON.stringify(bad) !== JSON.stringify(value[key])) out.push({ ...value, [key]: bad });
  }
  return out;
}

describe("the exercise's checks", () => {
  it('accept exactly what the protocol accepts, field by field', () => {
    const details = [
      detail,
      { ...detail, continues: { exercise: 'a', append: '// TODO\n' } },
      { ...detail, helpers: [], checks: [] },
      ...breakings(detail),
      { ...detail, helpers: [{ name: 'h', signature: 's' }] },
      { ...detail, checks: [{ id: 'c', title: 't', required: 'yes' }] },
      { ...detail, continues: { exercise: 'a' } },
      { ...detail, continues: null },
      [detail],
      null,
      'exercise',
    ];
    let accepted = 0;
    for (const value of details) {
      const expected = ExerciseDetail.safeParse(value).success;
      expect(isExerciseDetail(value), JSON.stringify(value)).toBe(expected);
      if (expected) accepted++;
    }
    // Both kinds of answer were tried, the refusals many times over.
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(details.length - accepted).toBeGreaterThan(50);
    for (const value of [summary, ...breakings(summary), { ...summary, chapter: 2.5 }])
      expect(isExerciseSummary(value), JSON.stringify(value)).toBe(
        ExerciseSummary.safeParse(value).success,
      );
  });
});
