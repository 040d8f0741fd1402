// Assignments and people: every bulk or destructive action asks first and sends nothing until
// confirmed; a reset link is shown to pass on; an assistant sees the rules without the controls.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { byText, click, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { fakeApi } from '../test-utils/fake-api.ts';
import ManageCoursePage from './ManageCoursePage.tsx';

vi.mock('../api/exercises.ts', () => ({
  fetchExercises: () =>
    Promise.resolve([
      { id: 'ex-one', title: 'First' },
      { id: 'ex-two', title: 'Second' },
    ]),
}));

const BASE = '/api/instructor/courses/c1';
const ASSIGNED = {
  courseId: 'c1',
  exerciseId: 'ex-one',
  title: 'First',
  opensAt: '2026-01-05T08:00:00.000Z',
  dueAt: '2026-01-12T08:00:00.000Z',
  lateUntil: '2026-01-14T08:00:00.000Z',
  lateCreditPercent: 50,
};
const MEMBERS = [
  {
    id: 'p',
    email: 'prof@lab.org',
    name: 'Prof',
    courseRole: 'instructor',
    joinedAt: ASSIGNED.opensAt,
  },
  { id: 'a', email: 'ana@uni.edu', name: 'Ana', courseRole: 'student', joinedAt: ASSIGNED.opensAt },
];

function api(canManage: boolean) {
  return fakeApi({
    'GET /api/courses': {
      courses: [{ id: 'c1', title: 'Tracing', role: canManage ? 'instructor' : 'assistant' }],
    },
    [`GET ${BASE}/members`]: { members: MEMBERS, canManage },
    [`GET ${BASE}/assignments`]: { assignments: [ASSIGNED] },
    [`POST ${BASE}/assignments`]: () => ({ status: 201, body: { assignments: [] } }),
    [`DELETE ${BASE}/members/a`]: { removed: true },
    [`POST ${BASE}/members/a/reset-link`]: () => ({
      status: 201,
      body: { resetPath: '/reset/tok', expiresAt: '2026-01-20T08:00:00.000Z' },
    }),
  });
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  vi.unstubAllGlobals();
});

async function open(): Promise<HTMLElement> {
  await act(async () => {
    view = render(<ManageCoursePage courseId="c1" />);
  });
  // Four requests answered, then the page renders.
  await act(async () => {});
  return view!.container;
}

function fill(input: Element | null, value: string): void {
  if (!(input instanceof HTMLInputElement)) throw new Error('no such input');
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const q = (c: HTMLElement, id: string) => c.querySelector(`[data-testid="${id}"]`);

describe('assignments', () => {
  it('lists each assignment with its late window', async () => {
    api(true);
    const page = await open();
    const row = q(page, 'assignment-row');
    expect(row?.textContent).toContain('First');
    expect(row?.textContent).toMatch(/until .* at 50%/);
  });

  it('asks before assigning several exercises at once, naming how many and what it replaces', async () => {
    const { writes } = api(true);
    const page = await open();
    click(q(page, 'pick-ex-one'));
    click(q(page, 'pick-ex-two'));
    fill(q(page, 'opens-at'), '2026-02-01T09:00');
    fill(q(page, 'due-at'), '2026-02-08T09:00');
    click(q(page, 'assign'));
    const confirm = q(page, 'confirm');
    expect(confirm?.textContent).toMatch(/Assign 2 exercises, due .*, replacing the dates of 1/);
    click(q(page, 'confirm-no'));
    expect(writes()).toEqual([]);

    click(q(page, 'assign'));
    await act(async () => click(q(page, 'confirm-yes')));
    expect(writes()).toEqual([
      {
        method: 'POST',
        path: `${BASE}/assignments`,
        body: {
          exerciseIds: ['ex-one', 'ex-two'],
          opensAt: new Date('2026-02-01T09:00').toISOString(),
          dueAt: new Date('2026-02-08T09:00').toISOString(),
          lateUntil: null,
          lateCreditPercent: null,
        },
      },
    ]);
  });
});

describe('people', () => {
  it('removes a member only after confirming, saying what happens to their work', async () => {
    const { writes } = api(true);
    const page = await open();
    const ana = page.querySelector('[data-testid="member-row"][data-email="ana@uni.edu"]');
    click(ana!.querySelector('[data-testid="remove-member"]'));
    expect(q(page, 'confirm')?.textContent).toMatch(
      /Remove Ana from Tracing\? Their attempts stay stored/,
    );
    expect(writes()).toEqual([]);
    await act(async () => click(q(page, 'confirm-yes')));
    expect(writes()).toEqual([{ method: 'DELETE', path: `${BASE}/members/a`, body: undefined }]);
  });

  it('shows a reset link once, to pass on, and offers none for an instructor', async () => {
    api(true);
    const page = await open();
    const prof = page.querySelector('[data-testid="member-row"][data-email="prof@lab.org"]');
    expect(prof?.querySelector('[data-testid="reset-link"]')).toBeNull();
    const ana = page.querySelector('[data-testid="member-row"][data-email="ana@uni.edu"]');
    await act(async () => click(ana!.querySelector('[data-testid="reset-link"]')));
    expect(q(page, 'reset-url')?.textContent).toBe(`${window.location.origin}/reset/tok`);
    expect(q(page, 'issued-link')?.textContent).toMatch(/ana@uni.edu.*works once/);
  });

  it('shows an assistant the rules and people without any control', async () => {
    api(false);
    const page = await open();
    expect(q(page, 'assistant-note')).not.toBeNull();
    expect(q(page, 'assign-form')).toBeNull();
    expect(q(page, 'add-staff-form')).toBeNull();
    expect(q(page, 'remove-member')).toBeNull();
    expect(byText(page, 'td', 'ana@uni.edu')).not.toBeNull();
  });
});
