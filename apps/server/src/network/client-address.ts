// The client's address for per-address limits, with the same `trust proxy` rule Express applies
// to `req.ip`: walk X-Forwarded-For from the nearest hop while the hop is trusted. Upgrade
// requests never pass through Express, so they need this on their own.
import type { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy` (`app.get('trust proxy fn')`). */
export type TrustFn = (address: string, hop: number) => boolean;

export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  const peer = normalise(req.socket.remoteAddress ?? '');
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse();
  const hops = [peer, ...forwarded.map(normalise)];
  for (let i = 0; i < hops.length - 1; i++) {
    if (!trust(hops[i], i)) return hops[i];
  }
  return hops[hops.length - 1];
}

/** One key per machine: an IPv4 peer seen through a dual-stack socket is its IPv4 address. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
