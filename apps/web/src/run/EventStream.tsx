import type { LiveEvent } from './live-run.ts';
import { hexToBytes, printable, spacedHex } from './bytes.ts';

function SubmittedBytes({ data, kind }: { data: string; kind: 'bytes' | 'user' | 'num' }) {
  if (kind === 'num') return <code className="event-num">{data}</code>;
  const bytes = hexToBytes(data);
  return (
    <div className="event-bytes">
      <code className="hex" aria-label="Hex">
        {spacedHex(bytes)}
      </code>
      <code className="text" aria-label="Printable text">
        {printable(bytes)}
      </code>
    </div>
  );
}

export function EventStream({ events, live }: { events: LiveEvent[]; live: boolean }) {
  if (events.length === 0) {
    return (
      <p className="empty">
        {live
          ? 'Waiting for your program to submit…'
          : 'Nothing was submitted and no DEBUG lines were printed.'}
      </p>
    );
  }
  return (
    <ol className="event-stream" aria-live={live ? 'polite' : 'off'} data-testid="event-stream">
      {events.map((event, i) => {
        if (event.kind === 'scenario') {
          return (
            <li key={i} className="event-scenario">
              Scenario <strong>{event.title}</strong>
            </li>
          );
        }
        if (event.kind === 'debug') {
          return (
            <li key={i} className="event event-debug">
              <span className="event-kind">debug</span>
              <span className="event-tid">tid {event.record.tid}</span>
              <code className="debug-text">{event.record.text}</code>
            </li>
          );
        }
        return (
          <li key={i} className="event event-submit">
            <span className="event-kind">submit</span>
            <span className="event-tid">tid {event.record.tid}</span>
            <SubmittedBytes data={event.record.data} kind={event.record.kind} />
            {event.record.truncated && <span className="tag tag-warn">truncated</span>}
          </li>
        );
      })}
    </ol>
  );
}
