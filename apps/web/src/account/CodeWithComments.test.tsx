import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { click, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { CodeWithComments } from './CodeWithComments.tsx';

let view: Rendered | undefined;
afterEach(() => view?.unmount());

const comment = {
  id: 'c1',
  line: 2,
  body: 'Zero the key <b>first</b>',
  authorName: 'Prof',
  createdAt: '2026-01-01T00:00:00Z',
};

describe('code with line comments', () => {
  it('shows each comment under its own line, as text', () => {
    view = render(<CodeWithComments code={'a;\nb;\nc;'} comments={[comment]} />);
    const rows = Array.from(view.container.querySelectorAll('tr'));
    const lineTwo = rows.findIndex((r) => r.getAttribute('data-line') === '2');
    expect(rows[lineTwo + 1].textContent).toContain('Zero the key <b>first</b>');
    expect(view.container.querySelector('b')).toBeNull();
    // Students cannot comment: no line buttons.
    expect(view.container.querySelector('[data-testid="comment-line-1"]')).toBeNull();
  });

  it('lets an instructor comment on the line they pick', async () => {
    const sent: [number, string][] = [];
    view = render(
      <CodeWithComments
        code={'a;\nb;\nc;'}
        comments={[]}
        onComment={async (line, body) => void sent.push([line, body])}
      />,
    );
    click(view.container.querySelector('[data-testid="comment-line-3"]'));
    const textarea = view.container.querySelector<HTMLTextAreaElement>(
      '[data-testid="comment-text"]',
    )!;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
      setter.call(textarea, 'Why here?');
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      view!.container
        .querySelector('form')!
        .dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(sent).toEqual([[3, 'Why here?']]);
    expect(view.container.querySelector('[data-testid="comment-text"]')).toBeNull();
  });
});
