import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { RunResult } from '@ebpf-lab/protocol';
import { courseContextForRun } from '../account/course-context.ts';
import { applyMessage, interruptRun, startRun } from './live-run.ts';
import type { LiveRun } from './live-run.ts';
import { labSocket } from './run-socket.ts';
import type { SocketStatus } from './run-socket.ts';

export function useSocketStatus(): SocketStatus {
  const socket = labSocket();
  return useSyncExternalStore(
    (listener) => socket.onStatus(listener),
    () => socket.getStatus(),
    () => 'closed',
  );
}

let counter = 0;
const newRequestId = () => `r${Date.now().toString(36)}${(counter++).toString(36)}`;

/** The current run of one exercise: start it, follow its messages, finish on `result`. */
export function useRun(exerciseId: string, onResult: (code: string, result: RunResult) => void) {
  const [run, setRun] = useState<LiveRun | null>(null);
  const runRef = useRef<LiveRun | null>(null);
  const onResultRef = useRef(onResult);
  onResultRef.current = onResult;

  const update = useCallback((next: LiveRun | null) => {
    const previous = runRef.current;
    runRef.current = next;
    setRun(next);
    if (next?.result && previous?.result !== next.result)
      onResultRef.current(next.code, next.result);
  }, []);

  useEffect(() => {
    const socket = labSocket();
    const offMessage = socket.onMessage((message) => {
      const current = runRef.current;
      if (!current) return;
      const next = applyMessage(current, message, performance.now());
      if (next !== current) update(next);
    });
    const offStatus = socket.onStatus((status) => {
      const current = runRef.current;
      if ((status === 'closed' || status === 'refused') && current) update(interruptRun(current));
    });
    return () => {
      offMessage();
      offStatus();
    };
  }, [update]);

  useEffect(() => {
    update(null);
  }, [exerciseId, update]);

  const running = run !== null && run.phase !== 'done' && run.phase !== 'interrupted';

  const start = useCallback(
    (code: string): boolean => {
      const current = runRef.current;
      if (current && current.phase !== 'done' && current.phase !== 'interrupted') return false;
      const requestId = newRequestId();
      const next = startRun(requestId, exerciseId, code);
      const socket = labSocket();
      const courseId = courseContextForRun();
      if (
        !socket.send({ type: 'run', requestId, exerciseId, code, ...(courseId && { courseId }) })
      ) {
        const refusal = socket.getRefusal();
        update({
          ...next,
          phase: 'interrupted',
          error: refusal
            ? { code: 'rate-limited', message: refusal }
            : {
                code: 'connection',
                message:
                  'Not connected to the lab server; reconnecting. Nothing was run and it cost no attempt.',
              },
        });
        return false;
      }
      update({
        ...next,
        stages: next.stages.map((s) =>
          s.name === 'compile' ? { ...s, state: 'running', startedAt: performance.now() } : s,
        ),
      });
      return true;
    },
    [exerciseId, update],
  );

  const cancel = useCallback(() => {
    const current = runRef.current;
    if (current?.runId) labSocket().send({ type: 'cancel', runId: current.runId });
  }, []);

  return { run, running, start, cancel };
}
