// A page's first state-changing request carries a CSRF token: it is fetched before the request
// rather than after a 403 (which the browser logs as an error in the console).
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

function fakeServer(token: string) {
  const calls: { method: string; url: string; csrf: string | null; status: number }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET';
      const csrf = new Headers(init.headers).get('x-csrf-token');
      let status = 200;
      let body: unknown = {};
      if (url === '/api/auth/me') body = { user: null, csrfToken: token };
      else if (csrf !== token) {
        status = 403;
        body = { error: 'Invalid CSRF token.' };
      } else body = { ok: true };
      calls.push({ method, url, csrf, status });
      return new Response(JSON.stringify(body), { status });
    }),
  );
  return calls;
}

describe('state-changing requests', () => {
  it('fetch the CSRF token first on a fresh page, and are never refused for lack of it', async () => {
    const calls = fakeServer('token-1');
    const { apiPost, apiPatch, apiDelete } = await import('./account-api.ts');
    await expect(apiPost('/api/courses', { title: 'x' })).resolves.toEqual({ ok: true });
    await apiPatch('/api/thing', { body: 'y' });
    await apiDelete('/api/thing');
    expect(calls.map((c) => `${c.method} ${c.url} ${c.status}`)).toEqual([
      'GET /api/auth/me 200',
      'POST /api/courses 200',
      'PATCH /api/thing 200',
      'DELETE /api/thing 200',
    ]);
    expect(calls.slice(1).every((c) => c.csrf === 'token-1')).toBe(true);
  });

  it('still fetch a new token and retry once when the one held went stale', async () => {
    const calls = fakeServer('token-1');
    const { apiPost } = await import('./account-api.ts');
    await apiPost('/api/courses', {});
    // The server restarted with a new secret.
    const after = fakeServer('token-2');
    await expect(apiPost('/api/courses', {})).resolves.toEqual({ ok: true });
    expect(after.map((c) => `${c.method} ${c.url} ${c.status}`)).toEqual([
      'POST /api/courses 403',
      'GET /api/auth/me 200',
      'POST /api/courses 200',
    ]);
    expect(calls).toHaveLength(2);
  });
});
