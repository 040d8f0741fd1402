// The quick editor's keys, as Monaco's: Tab indents (a block of lines too), Shift+Tab outdents,
// Enter keeps the indentation, and Escape then Tab leaves the editor instead of indenting.
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import type { EditorHandle } from './CodeEditor.tsx';
import { QuickEditor } from './QuickEditor.tsx';

let view: Rendered | undefined;
afterEach(() => view?.unmount());

function mount(initial: string) {
  const changes: string[] = [];
  let handle: EditorHandle | null = null;
  view = render(
    <div>
      <QuickEditor
        initialValue={initial}
        theme="light"
        fontSize={14}
        handover={{ current: null }}
        onChange={(code) => changes.push(code)}
        onReady={(h) => (handle = h)}
      />
    </div>,
  );
  const area = view.container.querySelector<HTMLTextAreaElement>('textarea')!;
  act(() => area.focus());
  const key = (key: string, shiftKey = false) =>
    act(() => {
      area.dispatchEvent(
        new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }),
      );
    });
  return { area, key, changes, handle: () => handle! };
}

describe('the quick editor', () => {
  it('indents with Tab, a block of lines too, and outdents with Shift+Tab', () => {
    const { area, key, changes } = mount('a\nb\nc');
    area.setSelectionRange(1, 1);
    key('Tab');
    expect(area.value).toBe('a\t\nb\nc');
    area.setSelectionRange(0, 6);
    key('Tab');
    expect(area.value).toBe('\ta\t\n\tb\n\tc');
    key('Tab', true);
    expect(area.value).toBe('a\t\nb\nc');
    expect(changes[changes.length - 1]).toBe('a\t\nb\nc');
  });

  it('keeps the indentation on Enter, one level more after a brace', () => {
    const { area, key } = mount('\tif (x) {');
    area.setSelectionRange(area.value.length, area.value.length);
    key('Enter');
    expect(area.value).toBe('\tif (x) {\n\t\t');
  });

  // Where the focus goes needs a real layout: the browser test (e2e/quick-editor.spec.ts) holds it.
  it('does not indent on Tab after Escape (a modifier in between keeps it), and shows what it holds', () => {
    const { area, key, handle } = mount('int x;');
    area.setSelectionRange(0, 0);
    key('Escape');
    key('Shift');
    key('Tab', true);
    key('Escape');
    key('Tab');
    expect(area.value).toBe('int x;');
    key('Tab');
    expect(area.value).toBe('\tint x;');
    // The page's handle reads and replaces its text.
    act(() => handle().replaceAll('long y;'));
    expect(handle().getValue()).toBe('long y;');
    expect(view!.container.querySelector('[data-code-view] .qt-keyword')?.textContent).toBe('long');
  });
});
