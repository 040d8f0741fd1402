// The reset link's page: a used link says so plainly; a live one sets the password and signs in.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { fakeApi } from '../test-utils/fake-api.ts';
import ResetPasswordPage from './ResetPasswordPage.tsx';

const reloads = vi.hoisted(() => [] as string[]);
vi.mock('./account-api.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./account-api.ts')>()),
  reloadAt: (path: string) => reloads.push(path),
}));

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  reloads.length = 0;
  vi.unstubAllGlobals();
});

async function open(token: string): Promise<HTMLElement> {
  await act(async () => {
    view = render(<ResetPasswordPage token={token} />);
  });
  return view!.container;
}

function fill(c: HTMLElement, id: string, value: string): void {
  const input = c.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(c: HTMLElement): Promise<void> {
  await act(async () => {
    c.querySelector('[data-testid="reset-form"]')!.dispatchEvent(
      new Event('submit', { bubbles: true, cancelable: true }),
    );
  });
}

describe('the reset page', () => {
  it('says a used link was used, and offers no form', async () => {
    fakeApi({
      'GET /api/auth/reset/used': () => ({
        status: 410,
        body: { error: 'This reset link was used already: ask your instructor for a new one.' },
      }),
    });
    const page = await open('used');
    expect(page.querySelector('[data-testid="reset-refused"]')?.textContent).toMatch(
      /used already: ask your instructor/,
    );
    expect(page.querySelector('[data-testid="reset-form"]')).toBeNull();
  });

  it('sets the password once both entries match, then signs in', async () => {
    const { writes } = fakeApi({
      'GET /api/auth/reset/live': { account: { email: 'ana@uni.edu', name: 'Ana' } },
      'GET /api/auth/me': { user: null, csrfToken: 't' },
      'POST /api/auth/reset': {
        user: { id: 'a', email: 'ana@uni.edu', name: 'Ana', role: 'student' },
      },
    });
    const page = await open('live');
    expect(page.textContent).toContain('ana@uni.edu');
    fill(page, 'new-password', 'a-new-password');
    fill(page, 'new-password-again', 'a-new-passwort');
    await submit(page);
    expect(page.querySelector('[role="alert"]')?.textContent).toMatch(/differ/);
    expect(writes()).toEqual([]);
    fill(page, 'new-password-again', 'a-new-password');
    await submit(page);
    expect(writes()).toEqual([
      {
        method: 'POST',
        path: '/api/auth/reset',
        body: { token: 'live', password: 'a-new-password' },
      },
    ]);
    expect(reloads).toEqual(['/']);
  });
});
