// The lab's WebSocket, with two additions to ws's:
//
// - ws closes a connection whose message exceeds maxPayload with code 1009 and no reason, before
//   any handler sees the message. `onOversize` hooks that close so the client is first told, in a
//   protocol `error` message, which limit it hit.
// - `sendInTurn` gathers the frames sent to one client in one turn of the event loop into one
//   write. A run's stage, event and check messages come in bursts (a stage that ends and the next
//   that starts, every check of a run), and each write to a socket is a system call that also
//   runs and wakes the reader's side of loopback TCP: in a profile of 50 clients at once,
//   sending was a sixth of the server's busy time.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

export class LabSocket extends WebSocket {
  /** Called once, just before the socket closes for an oversized message. */
  onOversize?: () => string;
  /** The connection under the WebSocket, set when the upgrade completes. */
  transport?: Duplex;
  private corked = false;

  override close(code?: number, reason?: string | Buffer): void {
    if (
      code === 1009 &&
      reason === undefined &&
      this.readyState === WebSocket.OPEN &&
      this.onOversize
    ) {
      const why = this.onOversize();
      this.onOversize = undefined;
      super.close(code, why);
      return;
    }
    super.close(code, reason);
  }

  /** Sends a text frame; the frames of this turn of the event loop go out together after it. */
  sendInTurn(data: string): void {
    const transport = this.transport;
    if (transport && !this.corked) {
      this.corked = true;
      transport.cork();
      // After this turn's callbacks and the promise jobs they queue.
      setImmediate(() => this.flush());
    }
    this.send(data);
  }

  /** A connection cut at once still gets what was sent to it before. */
  override terminate(): void {
    this.flush();
    super.terminate();
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.transport?.uncork();
  }
}
