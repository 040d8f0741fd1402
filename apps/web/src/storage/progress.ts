import { useSyncExternalStore } from 'react';
import type { RunResult } from '@ebpf-lab/protocol';
import { readJson, writeJson } from './local-json.ts';
import { arrayOf, isBoolean, isInteger, isString, objectOf, oneOf, recordOf } from './shape.ts';

const EXERCISE_STATES = ['not-started', 'attempted', 'passed'] as const;
export type ExerciseState = (typeof EXERCISE_STATES)[number];

export interface Attempt {
  runId: string;
  at: string;
  code: string;
  status: 'pass' | 'fail' | 'error';
  summary: string;
  /** Infrastructure errors never count as attempts, but they stay in the history. */
  gradable: boolean;
  passedChecks: number;
  totalChecks: number;
}

const isAttempt = objectOf({
  runId: isString,
  at: isString,
  code: isString,
  status: oneOf(['pass', 'fail', 'error']),
  summary: isString,
  gradable: isBoolean,
  passedChecks: isInteger,
  totalChecks: isInteger,
});

type Progress = Record<string, { state: ExerciseState; attempts: Attempt[] }>;

const isProgress = recordOf(
  objectOf({ state: oneOf(EXERCISE_STATES), attempts: arrayOf(isAttempt) }),
);

const KEY = 'ebpf-lab:progress';
/** Oldest attempts are dropped past this many per exercise, to stay inside localStorage's quota. */
export const MAX_ATTEMPTS_KEPT = 50;
const listeners = new Set<() => void>();
let current: Progress = readJson<Progress>(KEY, isProgress, {});

function commit(next: Progress): void {
  current = next;
  writeJson(KEY, current);
  for (const listener of listeners) listener();
}

export function exerciseState(exerciseId: string): ExerciseState {
  return current[exerciseId]?.state ?? 'not-started';
}

export function attemptsOf(exerciseId: string): Attempt[] {
  return current[exerciseId]?.attempts ?? [];
}

export function recordAttempt(code: string, result: RunResult): void {
  const previous = current[result.exerciseId] ?? { state: 'not-started', attempts: [] };
  const attempt: Attempt = {
    runId: result.runId,
    at: result.startedAt,
    code,
    status: result.status,
    summary: result.summary,
    gradable: result.gradable,
    passedChecks: result.checks.filter((c) => c.status === 'pass').length,
    totalChecks: result.checks.length,
  };
  let state: ExerciseState = previous.state;
  if (result.status === 'pass') state = 'passed';
  else if (result.gradable && state === 'not-started') state = 'attempted';
  const attempts = [...previous.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
  commit({ ...current, [result.exerciseId]: { state, attempts } });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY) return;
    current = readJson<Progress>(KEY, isProgress, {});
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

const snapshot = () => current;

/** Re-renders when progress changes in this tab or another. */
export function useProgress(): Progress {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
