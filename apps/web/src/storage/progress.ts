import { useSyncExternalStore } from 'react';
import { z } from 'zod';
import type { RunResult } from '@ebpf-lab/protocol';
import { readJson, writeJson } from './local-json.ts';

export const ExerciseState = z.enum(['not-started', 'attempted', 'passed']);
export type ExerciseState = z.infer<typeof ExerciseState>;

export const Attempt = z.object({
  runId: z.string(),
  at: z.string(),
  code: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  summary: z.string(),
  /** Infrastructure errors never count as attempts, but they stay in the history. */
  gradable: z.boolean(),
  passedChecks: z.number().int(),
  totalChecks: z.number().int(),
});
export type Attempt = z.infer<typeof Attempt>;

const Progress = z.record(
  z.string(),
  z.object({ state: ExerciseState, attempts: z.array(Attempt) }),
);
type Progress = z.infer<typeof Progress>;

const KEY = 'ebpf-lab:progress';
/** Oldest attempts are dropped past this many per exercise, to stay inside localStorage's quota. */
export const MAX_ATTEMPTS_KEPT = 50;
const listeners = new Set<() => void>();
let current: Progress = readJson(KEY, Progress, {});

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
    current = readJson(KEY, Progress, {});
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
