// The one place WebSocket upgrades enter the server: it dispatches by path, refuses pages from
// other origins, settles who the client is (session cookie, address through `trust proxy`) and
// hands the socket to the path's handler with that identity.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { LabClient, SessionUser } from '../identity.ts';

export type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  client: LabClient,
) => void;

export interface UpgradeRouterOptions {
  routes: Record<string, UpgradeHandler>;
  isAllowedOrigin: (origin: string | undefined) => boolean;
  clientAddress: (req: IncomingMessage) => string;
  /** The signed-in user of the request's session cookie; absent: the lab has no accounts. */
  userFromRequest?: (req: IncomingMessage) => Promise<SessionUser | null>;
  logger: Logger;
}

const STATUS_TEXT: Record<number, string> = {
  403: 'Forbidden',
  404: 'Not Found',
};

/** Answers an upgrade with a plain HTTP error: the socket never becomes a WebSocket. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '';
  const q = raw.indexOf('?');
  return q >= 0 ? raw.slice(0, q) : raw;
}

export function createUpgradeRouter(options: UpgradeRouterOptions) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client that vanishes while its session is looked up must not crash the server.
    socket.on('error', () => socket.destroy());
    const handler = Object.hasOwn(options.routes, pathOf(req.url))
      ? options.routes[pathOf(req.url)]
      : undefined;
    if (!handler) return refuse(socket, 404, 'There is no WebSocket endpoint here.');
    const origin = req.headers.origin;
    if (!options.isAllowedOrigin(origin)) {
      options.logger.warn(
        { origin, path: pathOf(req.url) },
        'WebSocket refused: page from another origin (see LAB_PUBLIC_URL)',
      );
      return refuse(
        socket,
        403,
        "This page may not connect to the lab: its origin is not the lab's.",
      );
    }
    const address = options.clientAddress(req);
    const user = options.userFromRequest ? options.userFromRequest(req) : Promise.resolve(null);
    user
      .catch((err: unknown) => {
        options.logger.error({ err }, 'session lookup failed on a WebSocket upgrade');
        return null;
      })
      .then((found) => {
        if (socket.destroyed) return;
        handler(req, socket, head, { user: found, address });
      });
  };
}
