// The page while Monaco loads: the quick editor holds the code (Run sends it), hands its text,
// selection and focus to Monaco in the commit that creates it, and stays, working, when Monaco's
// chunk cannot load; once Monaco is up, Run sends Monaco's code.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, useEffect, useLayoutEffect } from 'react';
import type { ClientMessage } from '@ebpf-lab/protocol';
import type { CodeEditorProps } from '../editor/CodeEditor.tsx';
import type { EditorSnapshot } from '../editor/handover.ts';
import { testExercise } from '../test-utils/exercise.ts';
import { byText, click, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
// Imported statically: vi.mock calls are hoisted above it, so it sees the mocks.
import ExercisePage from './ExercisePage.tsx';

const exercise = testExercise('Count them.');

const sent: ClientMessage[] = [];
const editorLoad: {
  requested: number;
  resolve?: (module: { CodeEditor: (p: CodeEditorProps) => null }) => void;
  reject?: (error: Error) => void;
} = { requested: 0 };

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
// The editor's chunk arrives (or fails) when the test says so, once the page asks for it.
vi.mock('../editor/load-editor.ts', () => ({
  loadCodeEditor: () => {
    editorLoad.requested++;
    return new Promise((resolve, reject) => {
      editorLoad.resolve = resolve;
      editorLoad.reject = reject;
    });
  },
  loadedCodeEditor: () => null,
  whenCodeEditorLoaded: () => () => {},
}));

/** What the stand-in for Monaco was created with, and where the focus was at that moment. */
const created: { snapshot: EditorSnapshot | null; activeWasBody: boolean }[] = [];

/**
 * Stands in for Monaco: created in a layout effect as Monaco is, with what the quick editor handed
 * over, and reports itself ready with that code.
 */
function FakeEditor(props: CodeEditorProps) {
  useLayoutEffect(() => {
    created.push({
      snapshot: props.handover?.current ?? null,
      activeWasBody: document.activeElement === document.body,
    });
  }, []);
  useEffect(() => {
    const text = props.handover?.current?.text ?? props.initialValue;
    props.onReady?.({
      getValue: () => `${text}// edited\n`,
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
  created.length = 0;
  editorLoad.requested = 0;
  socket.refusal = null;
  socket.reconnects = 0;
  localStorage.clear();
});
afterEach(() => view?.unmount());

async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}

/** The quick editor's textarea. */
const quickInput = () =>
  view!.container.querySelector<HTMLTextAreaElement>('[data-testid="quick-editor-input"]');
const runButton = () =>
  view!.container.querySelector<HTMLButtonElement>('[data-testid="run-button"]')!;

/** Types into the quick editor as the browser does: the value changes, then `input` fires. */
function typeInQuick(text: string, selection?: [number, number, 'forward' | 'backward']) {
  const area = quickInput()!;
  act(() => {
    area.focus();
    area.value = text;
    area.dispatchEvent(new Event('input', { bubbles: true }));
    if (selection) area.setSelectionRange(...selection);
  });
}

/** Waits until the quick editor, left alone, asks for Monaco. */
async function untilMonacoRequested(): Promise<void> {
  for (let i = 0; i < 200 && editorLoad.requested === 0; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
  }
  expect(editorLoad.requested).toBe(1);
}

// Patient: jsdom on a shared, loaded machine renders the whole page slowly.
describe('the page while Monaco loads', { timeout: 30_000 }, () => {
  it('runs the quick editor’s code, then hands text, selection and focus to Monaco', async () => {
    view = render(<ExercisePage id="count-opens" />);
    await settle();
    // The quick editor shows the starter at once, labelled as the editor is.
    expect(quickInput()?.value).toBe(exercise.starter);
    expect(quickInput()?.getAttribute('aria-label')).toContain('Program source (C)');
    expect(runButton().disabled).toBe(false);
    expect(runButton().textContent).toContain('Run');

    const code = `${exercise.starter}int quick;\n`;
    typeInQuick(code, [code.indexOf('quick'), code.indexOf(';'), 'backward']);
    // Saved as typed, and coloured.
    expect(JSON.parse(localStorage.getItem('ebpf-lab:code:count-opens')!).code).toBe(code);
    const keywords = view.container.querySelectorAll('[data-code-view] .qt-keyword');
    expect(Array.from(keywords, (k) => k.textContent)).toEqual(['#include', '"', '"', 'int']);

    await untilMonacoRequested();
    await act(async () => {
      editorLoad.resolve?.({ CodeEditor: FakeEditor });
    });
    await settle();
    expect(quickInput()).toBeNull();
    expect(created).toHaveLength(1);
    expect(created[0]!.snapshot).toEqual(
      expect.objectContaining({
        text: code,
        selectionStart: code.indexOf('quick'),
        selectionEnd: code.indexOf(';'),
        backward: true,
        focused: true,
      }),
    );
    await settle();
    click(byText(view.container, 'button', 'Run'));
    expect(sent).toEqual([expect.objectContaining({ code: `${code}// edited\n` })]);
  });

  it('runs the quick editor’s code, and hands over no focus when it did not have it', async () => {
    view = render(<ExercisePage id="count-opens" />);
    await settle();
    typeInQuick(`${exercise.starter}// typed\n`);
    act(() => quickInput()!.blur());
    // Ctrl+Enter sends what the quick editor holds.
    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }));
    });
    expect(sent).toEqual([
      expect.objectContaining({ type: 'run', code: `${exercise.starter}// typed\n` }),
    ]);
    await untilMonacoRequested();
    await act(async () => {
      editorLoad.resolve?.({ CodeEditor: FakeEditor });
    });
    expect(created[0]!.snapshot).toEqual(
      expect.objectContaining({ text: `${exercise.starter}// typed\n`, focused: false }),
    );
  });

  it('keeps the quick editor working, with the failure said, when Monaco cannot load', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    view = render(<ExercisePage id="count-opens" />);
    await settle();
    await untilMonacoRequested();
    await act(async () => {
      editorLoad.reject?.(new Error('chunk failed'));
    });
    await settle();
    const failed = view.container.querySelector('[data-testid="panel-failed"]');
    expect(failed?.textContent).toContain('The editor failed to show');
    expect(quickInput()).not.toBeNull();
    const code = `${exercise.starter}// after the failure\n`;
    typeInQuick(code);
    expect(JSON.parse(localStorage.getItem('ebpf-lab:code:count-opens')!).code).toBe(code);
    click(runButton());
    expect(sent).toEqual([expect.objectContaining({ code })]);

    // Reloading the panel tries again at once; Monaco then opens with what was typed.
    click(byText(failed as HTMLElement, 'button', 'Reload this panel'));
    expect(editorLoad.requested).toBe(2);
    await act(async () => {
      editorLoad.resolve?.({ CodeEditor: FakeEditor });
    });
    expect(created[0]!.snapshot?.text).toBe(code);
    expect(view.container.querySelector('[data-testid="panel-failed"]')).toBeNull();
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
