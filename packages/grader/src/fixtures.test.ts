// Golden fixtures recorded on the real kernel (fixtures/record.ts): the grader, given the same
// observations, must produce the same checks, messages included. When the exercise's checks or
// the wording change on purpose, record the fixtures again and review the diff.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExercise } from '@ebpf-lab/exercises';
import { ScenarioObservation } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { grade } from './index.ts';

const root = join(import.meta.dirname, '../../..');
const dir = join(import.meta.dirname, '../fixtures/read-file-password');
const exercise = loadExercise(join(root, 'bpf-templates/read-file-password'));
const cases = readdirSync(dir).sort();

describe('grader on observations recorded from the kernel', () => {
  it('has a fixture for the solution, the starter and every variant', () => {
    const names = ['solution', 'starter', ...(exercise.variants ?? []).map((v) => v.name)];
    expect(cases).toEqual(names.sort());
  });

  it.each(cases)('%s grades as recorded', (name) => {
    const raw = JSON.parse(readFileSync(join(dir, name, 'observations.json'), 'utf8')) as unknown[];
    const observations = raw.map((o) => ScenarioObservation.parse(o));
    const expected = JSON.parse(readFileSync(join(dir, name, 'checks.json'), 'utf8'));
    const object = JSON.parse(readFileSync(join(dir, name, 'object.json'), 'utf8')) as unknown;
    const checks = grade(exercise.meta, { observations, object }).map(
      ({ id, status, message, hint, causedBy }) => ({
        id,
        status,
        message,
        hinted: hint !== undefined,
        ...(causedBy ? { causedBy } : {}),
      }),
    );
    expect(checks).toEqual(expected);
  });
});
