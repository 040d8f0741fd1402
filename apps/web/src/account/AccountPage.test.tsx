// Signing in from the run panel's "Sign in" link comes back to the exercise.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import AccountPage from './AccountPage.tsx';

const reloads = vi.hoisted(() => [] as string[]);
vi.mock('./account-api.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./account-api.ts')>()),
  useMe: () => null,
  signIn: (email: string) => Promise.resolve({ id: 'u1', email, name: 'S', role: 'student' }),
  reloadAt: (path: string) => reloads.push(path),
}));

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  reloads.length = 0;
  history.replaceState(null, '', '/');
});

/** Types into a React-controlled input the way the browser does. */
function fill(input: HTMLInputElement | null, value: string): void {
  if (!input) throw new Error('no such input');
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function signInFrom(url: string): Promise<void> {
  history.replaceState(null, '', url);
  view = render(<AccountPage />);
  const q = (id: string) =>
    view!.container.querySelector<HTMLInputElement>(`[data-testid="${id}"]`);
  fill(q('email'), 'student@lab.test');
  fill(q('password'), 'a long password');
  await act(async () => {
    view!.container
      .querySelector('[data-testid="sign-in-form"]')!
      .dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
}

describe('signing in', () => {
  it('returns to the exercise the sign-in link came from', async () => {
    await signInFrom('/account?next=%2Fexercises%2Fread-file-password');
    expect(reloads).toEqual(['/exercises/read-file-password']);
  });

  it('goes to the account page otherwise, and never to another site', async () => {
    await signInFrom('/account?next=%2F%2Fevil.test');
    expect(reloads).toEqual(['/account']);
  });
});
