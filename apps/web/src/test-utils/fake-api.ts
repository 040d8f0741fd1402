// A stand-in for the lab's HTTP API in component tests: answers by method and path, and records
// every request so a test can say what was sent (and what was not).
import { vi } from 'vitest';

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
}

type Answer = unknown | ((body: unknown) => { status: number; body: unknown });

export function fakeApi(routes: Record<string, Answer>) {
  const sent: SentRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://lab.test');
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    sent.push({ method, path: url.pathname, body });
    const answer = routes[`${method} ${url.pathname}`];
    if (answer === undefined)
      return new Response(JSON.stringify({ error: 'No such route.' }), { status: 404 });
    const { status, body: out } =
      typeof answer === 'function'
        ? (answer as (b: unknown) => { status: number; body: unknown })(body)
        : { status: 200, body: answer };
    return new Response(JSON.stringify(out), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { sent, writes: () => sent.filter((r) => r.method !== 'GET') };
}
