// An append-only JSONL record of verifier logs no class recognised, so the next explanation
// to write is chosen from what students really hit.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type { UnrecognisedVerifierLog } from './explain-verifier.ts';

/** Longest log kept per entry: verifier logs of complex programs reach megabytes. */
export const MAX_RECORDED_LOG_CHARS = 64 * 1024;

export interface UnrecognisedLogRecorder {
  record(entry: UnrecognisedVerifierLog & { exerciseId?: string; runId?: string }): void;
}

export function createUnrecognisedLogRecorder(file: string): UnrecognisedLogRecorder {
  const seen = new Set<string>();
  return {
    record(entry) {
      // The same message from the same exercise is one data point, not a thousand.
      const key = `${entry.exerciseId ?? ''}\u0000${entry.error}`;
      if (seen.has(key)) return;
      seen.add(key);
      const truncated = entry.log.length > MAX_RECORDED_LOG_CHARS;
      const line = JSON.stringify({
        at: new Date().toISOString(),
        ...entry,
        log: truncated ? entry.log.slice(-MAX_RECORDED_LOG_CHARS) : entry.log,
        truncated,
      });
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${line}\n`);
    },
  };
}
