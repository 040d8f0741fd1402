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
  authorId: 'prof',
  authorName: 'Prof',
  createdAt: '2026-01-01T00:00:00Z',
  editedAt: null,
  readAt: null,
};

function type(textarea: HTMLTextAreaElement, value: string) {
  act(() => {
    const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
    setter.call(textarea, value);
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

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
    type(textarea, 'Why here?');
    await act(async () => {
      view!.container
        .querySelector('form')!
        .dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(sent).toEqual([[3, 'Why here?']]);
    expect(view.container.querySelector('[data-testid="comment-text"]')).toBeNull();
  });

  it("lets a comment's author edit and delete it, and nobody else", async () => {
    const edits: string[] = [];
    const deleted: string[] = [];
    const other = { ...comment, id: 'c2', line: 1, authorId: 'colleague', body: 'Not mine' };
    view = render(
      <CodeWithComments
        code={'a;\nb;\nc;'}
        comments={[comment, other]}
        meId="prof"
        onComment={async () => {}}
        onEdit={async (c, body) => void edits.push(`${c.id}:${body}`)}
        onDelete={async (c) => void deleted.push(c.id)}
      />,
    );
    // Only the signed-in author's comment offers Edit and Delete.
    expect(view.container.querySelectorAll('[data-testid="comment-edit"]')).toHaveLength(1);
    click(view.container.querySelector('[data-testid="comment-edit"]'));
    const textarea = view.container.querySelector<HTMLTextAreaElement>(
      '[data-testid="comment-text"]',
    )!;
    expect(textarea.value).toBe('Zero the key <b>first</b>');
    type(textarea, 'Zero the key before the lookup');
    await act(async () => {
      view!.container
        .querySelector('form')!
        .dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(edits).toEqual(['c1:Zero the key before the lookup']);
    // Deleting asks first.
    click(view.container.querySelector('[data-testid="comment-delete"]'));
    expect(deleted).toEqual([]);
    await act(async () => {
      click(view!.container.querySelector('[data-testid="comment-delete-confirm"]'));
    });
    expect(deleted).toEqual(['c1']);
  });
});
