import { describe, expect, it } from 'vitest';
import { failingResult, passingResult } from '../run/fixtures/run-result.ts';
import { MAX_ATTEMPTS_KEPT, attemptsOf, exerciseState, recordAttempt } from './progress.ts';

describe('local progress', () => {
  it('moves from not started to attempted to passed, and keeps each attempt with its code', () => {
    const id = failingResult.exerciseId;
    expect(exerciseState(id)).toBe('not-started');
    recordAttempt('v1', failingResult);
    expect(exerciseState(id)).toBe('attempted');
    recordAttempt('v2', passingResult);
    expect(exerciseState(id)).toBe('passed');
    recordAttempt('v3', failingResult);
    expect(exerciseState(id)).toBe('passed');
    expect(attemptsOf(id).map((a) => [a.code, a.status, a.passedChecks])).toEqual([
      ['v1', 'fail', 1],
      ['v2', 'pass', 3],
      ['v3', 'fail', 1],
    ]);
    expect(JSON.parse(localStorage.getItem('ebpf-lab:progress')!)[id].attempts).toHaveLength(3);
  });

  it('does not count an infrastructure error as an attempt', () => {
    recordAttempt('x', { ...failingResult, exerciseId: 'other', status: 'error', gradable: false });
    expect(exerciseState('other')).toBe('not-started');
    expect(attemptsOf('other')).toHaveLength(1);
  });

  it(`keeps the last ${MAX_ATTEMPTS_KEPT} attempts`, () => {
    for (let i = 0; i < MAX_ATTEMPTS_KEPT + 5; i++)
      recordAttempt(`c${i}`, { ...failingResult, exerciseId: 'many' });
    const attempts = attemptsOf('many');
    expect(attempts).toHaveLength(MAX_ATTEMPTS_KEPT);
    expect(attempts[0].code).toBe('c5');
  });
});
