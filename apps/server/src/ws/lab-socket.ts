// ws closes a connection whose message exceeds maxPayload with code 1009 and no reason, before
// any handler sees the message. This subclass hooks that close so the client is first told, in
// a protocol `error` message, which limit it hit.
import { WebSocket } from 'ws';

export class LabSocket extends WebSocket {
  /** Called once, just before the socket closes for an oversized message. */
  onOversize?: () => string;

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
}
