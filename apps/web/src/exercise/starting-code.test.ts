import type { ExerciseDetail, RunResult } from '@ebpf-lab/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { recordAttempt } from '../storage/progress.ts';
import { startingCode } from './starting-code.ts';

const detail = (continues?: ExerciseDetail['continues']): ExerciseDetail => ({
  id: 'close-fd-reuse',
  chapter: 2,
  chapterTitle: 'State',
  order: 4,
  title: 'Closing the loop',
  summary: 's',
  instructions: 'i',
  starter: 'skeleton // TODO\n',
  helpers: [],
  checks: [],
  ...(continues ? { continues } : {}),
});

const result = (runId: string, status: 'pass' | 'fail', passed: number): RunResult => ({
  runId,
  exerciseId: 'read-file-password',
  status,
  gradable: true,
  summary: '',
  stages: [],
  checks: Array.from({ length: passed }, (_, i) => ({
    id: `c${i}`,
    title: 't',
    required: true,
    status: 'pass' as const,
    message: '',
  })),
  diagnostics: [],
  observations: [],
  limits: [],
  versions: { kernel: 'k', clang: 'c', libbpf: 'l', exerciseHash: 'h' },
  startedAt: `2026-01-0${runId.slice(1)}T00:00:00.000Z`,
  durationMs: 1,
});

describe('startingCode', () => {
  beforeEach(() => localStorage.clear());

  it('is the starter for an exercise that continues nothing', () => {
    expect(startingCode(detail())).toBe('skeleton // TODO\n');
  });

  it('continues the best passing attempt of the earlier exercise in this browser', () => {
    const continues = { exercise: 'read-file-password', append: '// TODO: close()\n' };
    expect(startingCode(detail(continues))).toBe('skeleton // TODO\n');
    recordAttempt('mine, passing\n', result('r1', 'pass', 9));
    recordAttempt('mine, broken\n', result('r2', 'fail', 3));
    expect(startingCode(detail(continues))).toBe('mine, passing\n// TODO: close()\n');
  });
});
