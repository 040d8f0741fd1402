// A message to the browser as the text of its WebSocket frame: its JSON, with the connection's
// `seq` as the last field. A result may come with the JSON it was stored as (run-recorder.ts),
// which goes out as it is: the result is by far the largest message of a run, and serialising it
// again for the socket cost as much as serialising it for the store.
import type { OutgoingMessage } from '@ebpf-lab/protocol';

export function frameText(message: OutgoingMessage, seq: number, resultJson?: string): string {
  if (message.type === 'result' && resultJson !== undefined) {
    const runId = JSON.stringify(message.runId);
    return `{"type":"result","runId":${runId},"result":${resultJson},"seq":${seq}}`;
  }
  // Every message is an object with a `type`, so its JSON ends in `}` after at least one field.
  const json = JSON.stringify(message);
  return `${json.slice(0, -1)},"seq":${seq}}`;
}
