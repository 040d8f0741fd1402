// The WebSocket endpoint (/ws): every message is JSON validated against the protocol's
// ClientMessage; anything else is answered with an `error` and the connection stays usable.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ClientMessage, describeFirstIssue, MAX_MESSAGE_BYTES } from '@ebpf-lab/protocol';
import type { OutgoingMessage } from '@ebpf-lab/protocol';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import type { LabClient } from '../identity.ts';
import type { FairShare } from '../network/fair-share.ts';
import type { RunClient, RunService } from '../runs/run-service.ts';
import type { DeskFeed } from './desk-feed.ts';
import { frameText } from './frames.ts';
import { LabSocket } from './lab-socket.ts';

export const WS_PATH = '/ws';
const KIB = 1024;

/**
 * A run's progress, which may wait a few milliseconds to share a write (lab-socket.ts); what a
 * client waits for (the result, an answer to its own message, an error) goes out in its turn.
 */
const MAY_WAIT: ReadonlySet<OutgoingMessage['type']> = new Set([
  'queued',
  'stage',
  'event',
  'check',
]);

export interface WsDeps {
  runs: RunService;
  logger: Logger;
  version: string;
  fairShare: FairShare;
  /** The live desk; absent when the lab keeps no accounts. */
  feed?: DeskFeed;
}

export interface LabWebSocket {
  wss: WebSocketServer;
  /** Takes an upgrade the server's upgrade router sent to /ws, with the client it settled. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, client: LabClient): void;
}

export function createLabWebSocket(deps: WsDeps): LabWebSocket {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    WebSocket: LabSocket,
  });

  wss.on('connection', (ws: LabSocket, _req: IncomingMessage, who: LabClient) => {
    let seq = 0;
    const client: RunClient = {
      active: new Map(),
      who,
      send(message: OutgoingMessage, resultJson?: string) {
        if (ws.readyState === LabSocket.OPEN)
          ws.sendGathered(frameText(message, seq++, resultJson), MAY_WAIT.has(message.type));
      },
    };
    const fail = (code: 'bad-json' | 'bad-message', message: string) =>
      client.send({ type: 'error', code, message });

    ws.onOversize = () => {
      const limit = `messages are limited to ${MAX_MESSAGE_BYTES / KIB} KiB`;
      client.send({
        type: 'error',
        code: 'too-large',
        message: `Your message was too large: ${limit}.`,
      });
      return limit;
    };
    ws.on('error', (err) => deps.logger.debug({ err }, 'websocket error'));
    const share = deps.fairShare.openSocket(who);
    if (!share.ok) {
      // Told in a message the page shows, then closed: a policy close the browser may retry later.
      client.send({ type: 'error', code: 'rate-limited', message: share.message });
      ws.close(1008, 'too many connections');
      return;
    }
    const leaveFeed = deps.feed?.add(client);
    ws.on('close', () => {
      leaveFeed?.();
      void share.release();
      // A closed tab does not need its runs any more.
      for (const cancel of client.active.values()) cancel();
    });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return fail('bad-message', 'Send JSON text messages, not binary ones.');
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        return fail('bad-json', 'Your message is not valid JSON.');
      }
      const parsed = ClientMessage.safeParse(raw);
      if (!parsed.success)
        return fail(
          'bad-message',
          `Unknown or malformed message: ${describeFirstIssue(parsed.error)}.`,
        );
      const msg = parsed.data;
      switch (msg.type) {
        case 'ping':
          return client.send({ type: 'pong' });
        case 'cancel':
          return deps.runs.cancel(client, msg.runId);
        case 'run':
          return deps.runs.submit(client, msg);
        case 'watch-course':
          if (!deps.feed) return fail('bad-message', 'This lab keeps no courses.');
          return void deps.feed
            .watch(client, msg.courseId)
            .catch((err: unknown) => deps.logger.error({ err }, 'watch-course failed'));
        case 'unwatch-course':
          return deps.feed?.unwatch(client);
      }
    });

    client.send({ type: 'hello', version: deps.version });
  });
  return {
    wss,
    handleUpgrade(req, socket, head, who) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        (ws as LabSocket).transport = socket;
        wss.emit('connection', ws, req, who);
      });
    },
  };
}
