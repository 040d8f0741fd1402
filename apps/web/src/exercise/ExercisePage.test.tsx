// The Run button while the lazy editor loads: it must say so and be disabled, never take a click
// and do nothing; once the editor is up, a click sends the editor's code.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, useEffect } from 'react';
import type { ClientMessage, ExerciseDetail } from '@ebpf-lab/protocol';
import type { CodeEditorProps } from '../editor/CodeEditor.tsx';
import { click, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
// Imported statically: vi.mock calls are hoisted above it, so it sees the mocks.
import ExercisePage from './ExercisePage.tsx';

const exercise: ExerciseDetail = {
  id: 'count-opens',
  chapter: 1,
  chapterTitle: 'Reading events',
  order: 1,
  title: 'Count opens',
  summary: '',
  instructions: 'Count them.',
  starter: '#include "lab.h"\n',
  helpers: [],
  checks: [],
};

const sent: ClientMessage[] = [];
const editorLoad: { resolve?: (module: { CodeEditor: (p: CodeEditorProps) => null }) => void } = {};

vi.mock('../api/exercises.ts', () => ({
  fetchExercise: () => Promise.resolve(exercise),
  fetchExercises: () => Promise.resolve([exercise]),
}));
vi.mock('../run/run-socket.ts', () => ({
  labSocket: () => ({
    getStatus: () => 'open',
    onStatus: () => () => {},
    onMessage: () => () => {},
    send: (message: ClientMessage) => {
      sent.push(message);
      return true;
    },
  }),
}));
vi.mock('./Instructions.tsx', () => ({ Instructions: () => <p>instructions</p> }));
// The editor's chunk arrives when the test says so.
vi.mock('../editor/load-editor.ts', () => ({
  loadCodeEditor: () =>
    new Promise((resolve) => {
      editorLoad.resolve = resolve;
    }),
}));

/** Stands in for Monaco: reports itself ready with the code it was opened with. */
function FakeEditor(props: CodeEditorProps) {
  useEffect(() => {
    props.onReady?.({
      getValue: () => `${props.initialValue}// edited\n`,
      replaceAll: () => {},
      revealLine: () => {},
      focus: () => {},
    });
    return () => props.onDispose?.();
    // Mounted once, like the real editor.
  }, []);
  return null;
}

let view: Rendered | undefined;
beforeEach(() => {
  sent.length = 0;
  localStorage.clear();
  // react-resizable-panels measures its panels.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});
afterEach(() => view?.unmount());

async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}

// Patient: jsdom on a shared, loaded machine renders the whole page slowly.
describe('the Run button while the editor loads', { timeout: 30_000 }, () => {
  it('says "Loading editor…" and is disabled, then runs the editor’s code once it is ready', async () => {
    view = render(<ExercisePage id="count-opens" />);
    await settle();
    const button = () =>
      view!.container.querySelector<HTMLButtonElement>('[data-testid="run-button"]')!;
    expect(button().textContent).toContain('Loading editor…');
    expect(button().disabled).toBe(true);
    // A keyboard run before the editor is up sends nothing either.
    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }));
    });
    expect(sent).toEqual([]);

    await act(async () => {
      editorLoad.resolve?.({ CodeEditor: FakeEditor });
    });
    await settle();
    expect(button().disabled).toBe(false);
    expect(button().textContent).toContain('Run');
    expect(button().textContent).not.toContain('Loading');
    click(button());
    expect(sent).toEqual([
      expect.objectContaining({
        type: 'run',
        exerciseId: 'count-opens',
        code: `${exercise.starter}// edited\n`,
      }),
    ]);
    expect(button().textContent).toContain('Running…');
  });
});
