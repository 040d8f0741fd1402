// The top navigation: the desk is offered to whoever teaches or assists in a course, an
// assistant's student account included, and to nobody else.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from './account/account-api.ts';
import { App } from './App.tsx';
import { render } from './test-utils/render.tsx';
import type { Rendered } from './test-utils/render.tsx';

const session = vi.hoisted(() => ({ me: null as Me | null }));
vi.mock('./account/account-api.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./account/account-api.ts')>()),
  useMe: () => session.me,
}));
vi.mock('./account/notifications.ts', () => ({
  useUnread: () => ({ total: 0, byExercise: {} }),
}));

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  history.replaceState(null, '', '/');
});

function navLinks(me: Me | null): string[] {
  session.me = me;
  history.replaceState(null, '', '/no-such-page');
  view = render(<App />);
  const nav = view.container.querySelector('nav[aria-label="Main"]');
  return [...(nav?.querySelectorAll('a') ?? [])].map((a) => a.textContent ?? '');
}

const student: Me = { id: 'u1', email: 's@lab.test', name: 'S', role: 'student' };

describe('the top navigation', () => {
  it('offers the desk to an assistant with a student account', () => {
    expect(navLinks({ ...student, teaches: true })).toContain('Desk');
  });

  it('offers it to an instructor, and not to a student or a signed-out visitor', () => {
    expect(navLinks({ ...student, role: 'instructor', teaches: true })).toContain('Desk');
    view?.unmount();
    const links = navLinks({ ...student, teaches: false });
    expect(links).toContain('Account');
    expect(links).not.toContain('Desk');
    view?.unmount();
    expect(navLinks(null)).not.toContain('Desk');
  });
});
