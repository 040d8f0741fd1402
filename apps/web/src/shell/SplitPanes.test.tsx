import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { press, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { KEY_STEP, SplitPanes, layoutKey } from './SplitPanes.tsx';

let view: Rendered | undefined;
beforeEach(() => localStorage.clear());
afterEach(() => {
  view?.unmount();
  view = undefined;
});

function show(orientation: 'horizontal' | 'vertical' = 'horizontal') {
  view = render(
    <SplitPanes
      id="columns"
      orientation={orientation}
      defaultSize={34}
      separatorLabel="Resize instructions"
      first={{ id: 'left', minSize: 18, className: 'pane', children: <p>left</p> }}
      second={{ id: 'right', minSize: 35, children: <p>right</p> }}
    />,
  );
  return view;
}

const separator = () => view!.container.querySelector<HTMLElement>('[role="separator"]')!;
const share = (pane: string) =>
  Number(view!.container.querySelector<HTMLElement>(`[data-pane="${pane}"]`)!.style.flexGrow);
const saved = () => JSON.parse(localStorage.getItem(layoutKey('columns')) ?? 'null') as unknown;

/** A pointer event as the browser sends it (jsdom has no PointerEvent; React reads these). */
function pointer(type: string, target: Element, at: { x: number; y: number }) {
  act(() => {
    target.dispatchEvent(
      new MouseEvent(type, {
        bubbles: true,
        cancelable: true,
        button: 0,
        clientX: at.x,
        clientY: at.y,
      }),
    );
  });
}

/** The group measures 1000 × 500 px, as a browser would lay it out. */
function sized(width = 1000, height = 500) {
  const group = view!.container.querySelector<HTMLElement>('[data-split="columns"]')!;
  group.getBoundingClientRect = () => new DOMRect(0, 0, width, height);
}

describe('split panes', () => {
  it('lay out both panes from the default share, with a named, focusable separator', () => {
    show();
    expect([share('left'), share('right')]).toEqual([34, 66]);
    const s = separator();
    expect(s.getAttribute('aria-label')).toBe('Resize instructions');
    expect(s.tabIndex).toBe(0);
    expect(s.getAttribute('aria-orientation')).toBe('vertical');
    expect([
      s.getAttribute('aria-valuenow'),
      s.getAttribute('aria-valuemin'),
      s.getAttribute('aria-valuemax'),
    ]).toEqual(['34', '18', '65']);
    // It names the pane it resizes.
    const controlled = document.getElementById(s.getAttribute('aria-controls')!);
    expect(controlled?.textContent).toBe('left');
    expect(controlled?.className).toContain('pane');
  });

  it('move with the arrow keys along their axis, stop at the minimum sizes, jump with Home and End', () => {
    show();
    press(separator(), 'ArrowRight');
    expect(share('left')).toBe(34 + KEY_STEP);
    press(separator(), 'ArrowLeft');
    press(separator(), 'ArrowLeft');
    expect(share('left')).toBe(34 - KEY_STEP);
    // The other axis's keys do nothing here.
    press(separator(), 'ArrowDown');
    expect(share('left')).toBe(34 - KEY_STEP);
    for (let i = 0; i < 10; i++) press(separator(), 'ArrowLeft');
    expect(share('left')).toBe(18);
    press(separator(), 'End');
    expect([share('left'), share('right')]).toEqual([65, 35]);
    expect(separator().getAttribute('aria-valuenow')).toBe('65');
    press(separator(), 'Home');
    expect(share('left')).toBe(18);
    expect(saved()).toEqual({ left: 18, right: 82 });
  });

  it('one above the other, move with the up and down arrows', () => {
    show('vertical');
    expect(separator().getAttribute('aria-orientation')).toBe('horizontal');
    press(separator(), 'ArrowDown');
    expect(share('left')).toBe(34 + KEY_STEP);
    press(separator(), 'ArrowRight');
    expect(share('left')).toBe(34 + KEY_STEP);
  });

  it('follow a drag of the divider, within the minimum sizes, and keep where it was let go', () => {
    show();
    sized();
    const s = separator();
    pointer('pointerdown', s, { x: 340, y: 10 });
    expect(s.dataset.separator).toBe('active');
    pointer('pointermove', s, { x: 440, y: 10 });
    expect(share('left')).toBe(44);
    // Nothing is saved until the divider is let go.
    expect(saved()).toBeNull();
    // Past the other pane's minimum: held at it.
    pointer('pointermove', s, { x: 990, y: 10 });
    expect(share('left')).toBe(65);
    pointer('pointermove', s, { x: 500, y: 10 });
    pointer('pointerup', s, { x: 500, y: 10 });
    expect(share('left')).toBe(50);
    expect(s.dataset.separator).toBeUndefined();
    expect(saved()).toEqual({ left: 50, right: 50 });
    // A move after the release moves nothing.
    pointer('pointermove', s, { x: 100, y: 10 });
    expect(share('left')).toBe(50);
  });

  it('keep the layout across a reload', () => {
    show();
    press(separator(), 'ArrowRight');
    view!.unmount();
    show();
    expect([share('left'), share('right')]).toEqual([39, 61]);
  });

  it('open a saved layout out of range at the nearest allowed share, and ignore a broken one', () => {
    localStorage.setItem(layoutKey('columns'), JSON.stringify({ left: 90, right: 10 }));
    show();
    expect(share('left')).toBe(65);
    view!.unmount();
    for (const bad of ['{not json', '[40]', JSON.stringify({ left: '40' }), 'null']) {
      localStorage.setItem(layoutKey('columns'), bad);
      show();
      expect(share('left'), bad).toBe(34);
      view!.unmount();
    }
    view = undefined;
  });
});
