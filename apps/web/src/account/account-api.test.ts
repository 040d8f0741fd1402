// The page asks the server who is signed in once, however many parts of it want to know at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

let asked: string[];

beforeEach(() => {
  vi.resetModules();
  asked = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      asked.push(url);
      const user = { id: 'u1', email: 's@lab.test', name: 'S', role: 'student', teaches: false };
      return new Response(JSON.stringify({ user, csrfToken: `token-${asked.length}` }), {
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

describe('the session', () => {
  it('is asked for once when the navigation, the drafts client and a form ask together', async () => {
    const api = await import('./account-api.ts');
    const answers = await Promise.all([api.knowSession(), api.knowSession(), api.knowSession()]);
    expect(answers.map((me) => me?.id)).toEqual(['u1', 'u1', 'u1']);
    expect(asked).toEqual(['/api/auth/me']);
    expect(api.currentCsrfToken()).toBe('token-1');
    // Known now: nothing more to ask.
    await api.knowSession();
    expect(asked).toHaveLength(1);
  });

  it('is asked afresh when the page says the answer may have changed', async () => {
    const api = await import('./account-api.ts');
    await api.knowSession();
    await api.refreshSession();
    expect(asked).toEqual(['/api/auth/me', '/api/auth/me']);
    expect(api.currentCsrfToken()).toBe('token-2');
  });
});
