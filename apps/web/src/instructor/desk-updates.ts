// The live desk: while a desk page is open it follows its course over the page's one WebSocket
// (`watch-course`), and the server sends a `desk-run` message each time a run of one of the
// course's students changes state. Pages then ask for their data again; a burst of changes
// (queued, running, finished) costs at most one request in flight and one after it.
import { useEffect, useRef, useState } from 'react';
import type { ServerMessage } from '@ebpf-lab/protocol';
import { labSocket } from '../run/run-socket.ts';

export type DeskRunEvent = Extract<ServerMessage, { type: 'desk-run' }>;

/** Calls `onEvent` for each change of the course's runs; returns whether updates are flowing. */
export function useDeskUpdates(courseId: string, onEvent: (event: DeskRunEvent) => void): boolean {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [live, setLive] = useState(false);
  useEffect(() => {
    const socket = labSocket();
    const watch = () => socket.send({ type: 'watch-course', courseId });
    const offMessage = socket.onMessage((m) => {
      if (m.type === 'watching' && m.courseId === courseId) setLive(true);
      else if (m.type === 'desk-run' && m.courseId === courseId) handler.current(m);
    });
    // Sent again on every reconnection: a new connection watches nothing.
    const offStatus = socket.onStatus((status) => {
      if (status === 'open') watch();
      else setLive(false);
    });
    watch();
    return () => {
      offMessage();
      offStatus();
      socket.send({ type: 'unwatch-course' });
      setLive(false);
    };
  }, [courseId]);
  return live;
}

/** `work` at most once at a time; calls made meanwhile run it once more afterwards. */
export function coalesce(work: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void work().finally(() => {
      running = false;
      if (again) {
        again = false;
        run();
      }
    });
  };
  return run;
}
