// The lab's WebSocket, with two additions to ws's:
//
// - ws closes a connection whose message exceeds maxPayload with code 1009 and no reason, before
//   any handler sees the message. `onOversize` hooks that close so the client is first told, in a
//   protocol `error` message, which limit it hit.
// - `sendGathered` lets frames wait a little for others to share their write. Each write to a
//   socket is a system call that also runs and wakes the reader's side of loopback TCP: in a
//   profile of 50 clients at once, sending was a sixth of the server's busy time. A run's ~38
//   messages (stages, events, checks) come a few milliseconds apart, most in turns of the event
//   loop of their own: gathered within a turn only, a run took ~16 writes; held up to GATHER_MS,
//   ~7 (measured with `perf trace`, one client). What a client waits for (a result, an answer,
//   an error) is not held: it goes out at the end of its turn, with whatever was held before it.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

/** The longest a frame waits for others to share its write; far below what a person notices. */
export const GATHER_MS = 20;

export class LabSocket extends WebSocket {
  /** Called once, just before the socket closes for an oversized message. */
  onOversize?: () => string;
  /** The connection under the WebSocket, set when the upgrade completes. */
  transport?: Duplex;
  private corked = false;
  private timer?: NodeJS.Timeout;
  private endOfTurn?: NodeJS.Immediate;

  override close(code?: number, reason?: string | Buffer): void {
    if (
      code === 1009 &&
      reason === undefined &&
      this.readyState === WebSocket.OPEN &&
      this.onOversize
    ) {
      const why = this.onOversize();
      this.onOversize = undefined;
      this.flush();
      super.close(code, why);
      return;
    }
    // A close frame never waits behind held ones.
    this.flush();
    super.close(code, reason);
  }

  /**
   * Sends a text frame. With `wait`, it may wait up to GATHER_MS for later frames to share its
   * write; without, it goes out at the end of this turn of the event loop (after this turn's
   * callbacks and the promise jobs they queue), together with every frame still held.
   */
  sendGathered(data: string, wait: boolean): void {
    const transport = this.transport;
    if (transport && !this.corked) {
      this.corked = true;
      transport.cork();
    }
    if (this.corked) {
      if (!wait) this.endOfTurn ??= setImmediate(() => this.flush());
      else this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
    }
    this.send(data);
  }

  /** A connection cut at once still gets what was sent to it before. */
  override terminate(): void {
    this.flush();
    super.terminate();
  }

  private flush(): void {
    clearTimeout(this.timer);
    clearImmediate(this.endOfTurn);
    this.timer = undefined;
    this.endOfTurn = undefined;
    if (!this.corked) return;
    this.corked = false;
    this.transport?.uncork();
  }
}
