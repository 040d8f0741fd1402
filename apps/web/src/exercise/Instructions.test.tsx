// On a cold load the instructions' Markdown waits for the editor or an idle moment, whichever
// comes first; the title is there at once, and the text, once shown, stays.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { testExercise } from '../test-utils/exercise.ts';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { Instructions } from './Instructions.tsx';

const exercise = testExercise('Count **every** open.');

const body = (r: Rendered) => r.container.querySelector('article.markdown');

describe('Instructions', () => {
  let rendered: Rendered | undefined;
  afterEach(() => {
    rendered?.unmount();
    rendered = undefined;
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('shows the text at once when the editor is not loading', () => {
    rendered = render(<Instructions exercise={exercise} />);
    expect(body(rendered)?.querySelector('strong')?.textContent).toBe('every');
    expect(body(rendered)?.getAttribute('aria-busy')).toBe('false');
  });

  it('shows the title at once and the text at the first idle moment while the editor loads', () => {
    const idle: (() => void)[] = [];
    vi.stubGlobal('requestIdleCallback', (work: () => void) => idle.push(work));
    vi.stubGlobal('cancelIdleCallback', () => {});
    rendered = render(<Instructions exercise={exercise} editorLoading />);
    expect(rendered.container.querySelector('h1')?.textContent).toBe('Count opens');
    expect(body(rendered)?.textContent).toBe('');
    expect(body(rendered)?.getAttribute('aria-busy')).toBe('true');
    expect(idle).toHaveLength(1);
    act(() => idle[0]());
    expect(body(rendered)?.textContent).toBe('Count every open.');
  });

  it('shows the text when the editor is up, before any idle moment, and keeps it on a reload', () => {
    vi.stubGlobal('requestIdleCallback', () => 1);
    vi.stubGlobal('cancelIdleCallback', () => {});
    rendered = render(<Instructions exercise={exercise} editorLoading />);
    expect(body(rendered)?.textContent).toBe('');
    rendered.rerender(<Instructions exercise={exercise} editorLoading={false} />);
    expect(body(rendered)?.textContent).toBe('Count every open.');
    // The editor's panel reloaded: loading again, the text stays.
    rendered.rerender(<Instructions exercise={exercise} editorLoading />);
    expect(body(rendered)?.textContent).toBe('Count every open.');
  });

  it('shows the text without requestIdleCallback (Safari) on the next task', () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestIdleCallback', undefined);
    rendered = render(<Instructions exercise={exercise} editorLoading />);
    expect(body(rendered)?.textContent).toBe('');
    act(() => vi.runAllTimers());
    expect(body(rendered)?.textContent).toBe('Count every open.');
  });
});
