// Listens where the configuration says: HOST unset means loopback only, IPv4 and IPv6
// (127.0.0.1 and ::1, the second where the machine has it), on one port.
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Listening {
  servers: Server[];
  port: number;
  /** Where it listens, as URLs (`http://127.0.0.1:8080`, `http://[::1]:8080`). */
  urls: string[];
}

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function listenOne(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function urlFor(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function listen(
  handler: RequestListener,
  onUpgrade: UpgradeListener,
  port: number,
  host: string | undefined,
): Promise<Listening> {
  const make = () => createServer(handler).on('upgrade', onUpgrade);
  if (host !== undefined) {
    const server = make();
    await listenOne(server, port, host);
    const actual = (server.address() as AddressInfo).port;
    return { servers: [server], port: actual, urls: [urlFor(host, actual)] };
  }
  // A random port (0) is drawn on IPv4; if that port is taken on IPv6, draw again.
  for (let attempt = 0; ; attempt++) {
    const v4 = make();
    await listenOne(v4, port, '127.0.0.1');
    const actual = (v4.address() as AddressInfo).port;
    const v6 = make();
    try {
      await listenOne(v6, actual, '::1');
      return {
        servers: [v4, v6],
        port: actual,
        urls: [urlFor('127.0.0.1', actual), urlFor('::1', actual)],
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // No IPv6 on this machine: IPv4 loopback alone.
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') {
        return {
          servers: [v4],
          port: actual,
          urls: [urlFor('127.0.0.1', actual)],
        };
      }
      await close(v4);
      if (code !== 'EADDRINUSE' || port !== 0 || attempt >= 10) throw e;
    }
  }
}
