// The Run button while the lazy editor loads: it must say so and be disabled, never take a click
// and do nothing; once the editor is up, a click sends the editor's code.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, useEffect } from 'react';
import type { ClientMessage, ExerciseDetail } from '@ebpf-lab/protocol';
import type { CodeEditorProps } from '../editor/CodeEditor.tsx';
import { byText, click, render } from '../test-utils/render.tsx';
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
// The page's run socket: open, or refused by the server at its connection limit.
const socket = vi.hoisted(() => ({ refusal: null as string | null, reconnects: 0 }));
vi.mock('../run/run-socket.ts', () => ({
  labSocket: () => ({
    getStatus: () => (socket.refusal ? 'refused' : 'open'),
    getRefusal: () => socket.refusal,
    reconnect: () => socket.reconnects++,
    onStatus: () => () => {},
    onMessage: () => () => {},
    send: (message: ClientMessage) => {
      if (socket.refusal) return false;
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
  socket.refusal = null;
  socket.reconnects = 0;
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

describe('a run socket the server refused', { timeout: 30_000 }, () => {
  it('says so once, with the server’s words, offers to reconnect, and a run says why it cannot go', async () => {
    socket.refusal =
      'Too many open lab tabs: at most 16 connections per address for signed-out visitors. Close a tab and reload.';
    view = render(<ExercisePage id="count-opens" />);
    await settle();
    const notices = view.container.querySelectorAll('[data-testid="connection-refused"]');
    expect(notices).toHaveLength(1);
    expect(notices[0].getAttribute('role')).toBe('alert');
    expect(notices[0].textContent).toContain(socket.refusal);
    expect(view.container.querySelector('[data-testid="connection"]')?.textContent).toBe(
      'Not connected: too many tabs',
    );

    await act(async () => {
      editorLoad.resolve?.({ CodeEditor: FakeEditor });
    });
    await settle();
    click(view.container.querySelector('[data-testid="run-button"]'));
    expect(sent).toEqual([]);
    const verdict = view.container.querySelector('[data-testid="verdict"]');
    expect(verdict?.querySelector('strong')?.textContent).toBe('Too many open tabs');
    expect(verdict?.textContent).toContain('at most 16 connections');

    click(byText(view.container, 'button', 'Reconnect'));
    expect(socket.reconnects).toBe(1);
  });
});
