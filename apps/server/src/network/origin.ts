// Which pages may open the lab's WebSockets. Browsers send `Origin` on every WebSocket upgrade
// and let any page open a socket to any host, so without this check a page on another site (or
// a DNS-rebinding one posing as this host) could drive the lab with the visitor's cookies.
import { isLoopbackHost } from './mode.ts';

/**
 * `publicUrl` set: only its origin. Unset: pages served from a loopback address, any port (the
 * lab itself, or the Vite dev server in front of it).
 *
 * No `Origin` at all is allowed: every browser sends one, so its absence means a program (a test,
 * a script, the grading CLI), which could forge any header anyway. Such a client still meets
 * every other check: session, per-address limits, the signed-out rule.
 */
export function isAllowedOrigin(origin: string | undefined, publicUrl?: string): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (publicUrl) return url.origin === new URL(publicUrl).origin;
  return isLoopbackHost(url.hostname);
}
