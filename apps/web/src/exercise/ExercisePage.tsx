import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ExerciseDetail, ExerciseSummary, RunResult } from '@ebpf-lab/protocol';
import { useUnread } from '../account/notifications.ts';
import { fetchExercise, fetchExercises } from '../api/exercises.ts';
import { useAsync } from '../api/use-async.ts';
import type { EditorHandle } from '../editor/CodeEditor.tsx';
import type { Handover } from '../editor/handover.ts';
import { preloadCodeEditor } from '../editor/editor-preloads.ts';
import { whenIdle } from '../shell/when-idle.ts';
import { loadCodeEditor, loadedCodeEditor } from '../editor/load-editor.ts';
import type { EditorModule } from '../editor/load-editor.ts';
import { QuickEditor } from '../editor/QuickEditor.tsx';
import { RunPanel } from '../run/RunPanel.tsx';
import { labSocket } from '../run/run-socket.ts';
import type { SocketStatus } from '../run/run-socket.ts';
import { useRun, useSocketStatus } from '../run/use-run.ts';
import { PanelBoundary, PanelFailed } from '../shell/PanelBoundary.tsx';
import { Link } from '../shell/router.tsx';
import { SplitPanes } from '../shell/SplitPanes.tsx';
import { localSaveBackend } from '../storage/code-store.ts';
import { setPreferences, usePreferences, useResolvedTheme } from '../storage/preferences.ts';
import { recordAttempt } from '../storage/progress.ts';
import { Instructions } from './Instructions.tsx';
import { startingCode } from './starting-code.ts';
import { useAutosave } from './use-autosave.ts';
import type { Autosave } from './use-autosave.ts';

/**
 * Which editor holds the code. `quick`: the quick editor, shown at once while Monaco (most of the
 * bundle) loads; `ready`: Monaco; `failed`: Monaco could not load or broke (the quick editor
 * stays when it could not load); `loading`: neither has reported yet, and Run has no code to send.
 */
type EditorState = 'loading' | 'quick' | 'ready' | 'failed';

function runLabel(editorState: EditorState, running: boolean): string {
  if (editorState === 'loading') return 'Loading editor…';
  return running ? 'Running…' : 'Run';
}

const EDITOR_FAILED_DETAIL =
  'Your code is saved in this browser: reloading the panel brings it back.';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

/**
 * hh:mm:ss, by hand: the first `toLocaleTimeString` with options loads the browser's date-pattern
 * data, about 100 ms of the main thread, and the first time shown is the student's first keystroke
 * (or the first frame, when a draft was saved).
 */
function timeOf(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

const CONNECTION_LABELS: Record<SocketStatus, string> = {
  open: 'Connected',
  connecting: 'Connecting…',
  closed: 'Offline, reconnecting',
  refused: 'Not connected: too many tabs',
};

function saveLabel(autosave: Autosave): string {
  const { server, savedAt } = autosave;
  if (server.state === 'saving') return 'Saving to your account…';
  if (server.state === 'failed') return `Saved in this browser only: ${server.message}`;
  if (server.state === 'saved') return `Saved to your account ${timeOf(savedAt ?? server.at)}`;
  return savedAt ? `Saved locally ${timeOf(savedAt)}` : 'Not edited yet';
}

function Workspace({ exercise, next }: { exercise: ExerciseDetail; next?: ExerciseSummary }) {
  const prefs = usePreferences();
  const theme = useResolvedTheme();
  const socket = useSocketStatus();
  const editor = useRef<EditorHandle | null>(null);
  const [editorState, setEditorState] = useState<EditorState>('loading');
  // Monaco's module once loaded; until then the quick editor shows the code.
  const [editorModule, setEditorModule] = useState<EditorModule | null>(loadedCodeEditor);
  const [editorLoadFailed, setEditorLoadFailed] = useState(false);
  const [startMonaco, setStartMonaco] = useState(0);
  const handover = useRef<Handover>({ current: null }).current;
  const [confirmReset, setConfirmReset] = useState(false);
  const [undoCode, setUndoCode] = useState<string | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const unreadComments = useUnread().byExercise[exercise.id] ?? 0;

  // Computed once: the editor opens with it, and Reset goes back to it.
  const [starter] = useState(() => startingCode(exercise));
  const autosave = useAutosave(
    localSaveBackend,
    exercise.id,
    starter,
    (code) => {
      if (!editor.current) return false;
      // An editor that already shows it gets no edit (no empty step in its undo history).
      if (editor.current.getValue() !== code) editor.current.replaceAll(code);
      return true;
    },
    undefined,
    exercise.continues !== undefined,
  );
  const onResult = useCallback(
    (code: string, result: RunResult) => {
      if (result.exerciseId === exercise.id) recordAttempt(code, result);
    },
    [exercise.id],
  );
  const { run, running, start } = useRun(exercise.id, onResult);

  // Monaco's chunks download once the first screen is up and the browser is idle, well before the
  // quick editor asks for Monaco.
  useEffect(() => whenIdle(preloadCodeEditor, 1000), []);

  // Monaco starts when the quick editor asks (on screen, the student not typing), or at once when
  // the student reloads the panel after a failure.
  useEffect(() => {
    if (startMonaco === 0 || editorModule) return;
    let current = true;
    loadCodeEditor().then(
      (module) => {
        if (current) setEditorModule(module);
      },
      (error: unknown) => {
        console.error('the editor failed to load', error);
        if (!current) return;
        setEditorLoadFailed(true);
        setEditorState('failed');
      },
    );
    return () => {
      current = false;
    };
  }, [startMonaco, editorModule]);

  const doRun = useCallback(() => {
    const code = editor.current?.getValue();
    if (code !== undefined) start(code);
  }, [start]);
  const doSave = useCallback(() => {
    const code = editor.current?.getValue();
    if (code === undefined) return;
    autosave.saveNow(code);
    setFlash('Saved');
  }, [autosave]);

  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(null), 1500);
    return () => clearTimeout(t);
  }, [flash]);

  // Outside the editor too: Ctrl/Cmd+S saves (never the browser's dialog), Ctrl/Cmd+Enter runs.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey)) return;
      if (event.key === 's' || event.key === 'S') {
        event.preventDefault();
        doSave();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        doRun();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doRun, doSave]);

  const diagnostics = useMemo(() => run?.result?.diagnostics ?? [], [run?.result]);
  const reset = () => {
    const current = editor.current?.getValue() ?? '';
    editor.current?.replaceAll(starter);
    setUndoCode(current);
    setConfirmReset(false);
  };

  return (
    <div className="workspace">
      <div className="toolbar" role="toolbar" aria-label="Exercise">
        <div className="toolbar-group">
          <button
            type="button"
            className="button button-primary"
            onClick={doRun}
            disabled={
              running ||
              editorState === 'loading' ||
              (editorState === 'failed' && !editorLoadFailed)
            }
            title={
              editorState === 'failed' && !editorLoadFailed
                ? 'The editor failed to load: reload its panel first'
                : `Run (${MOD}+Enter)`
            }
            aria-keyshortcuts="Control+Enter Meta+Enter"
            data-testid="run-button"
          >
            {runLabel(editorState, running)}
            <kbd className="kbd-inline">{MOD}+Enter</kbd>
          </button>
          <span className={`conn conn-${socket}`} role="status" data-testid="connection">
            {CONNECTION_LABELS[socket]}
          </span>
        </div>
        <div className="toolbar-group">
          <span className="save-state muted" aria-live="polite" data-testid="save-state">
            {flash ?? saveLabel(autosave)}
          </span>
          <button type="button" className="button" onClick={() => setConfirmReset(true)}>
            Reset to starter
          </button>
          {unreadComments > 0 && (
            <Link
              className="badge"
              href="/account"
              data-testid="exercise-page-unread"
              title="Your instructor commented on your submissions"
            >
              {unreadComments} new comment{unreadComments === 1 ? '' : 's'}
            </Link>
          )}
          <Link className="button" href={`/exercises/${encodeURIComponent(exercise.id)}/history`}>
            History
          </Link>
          <label className="toggle">
            <input
              type="checkbox"
              checked={prefs.vim}
              onChange={(e) => setPreferences({ vim: e.target.checked })}
              data-testid="vim-toggle"
            />
            Vim mode
          </label>
          <div className="font-size" role="group" aria-label="Editor font size">
            <button
              type="button"
              className="button button-icon"
              aria-label="Smaller font"
              onClick={() => setPreferences({ fontSize: Math.max(10, prefs.fontSize - 1) })}
            >
              A−
            </button>
            <span className="muted" aria-live="polite">
              {prefs.fontSize}px
            </span>
            <button
              type="button"
              className="button button-icon"
              aria-label="Larger font"
              onClick={() => setPreferences({ fontSize: Math.min(28, prefs.fontSize + 1) })}
            >
              A+
            </button>
          </div>
        </div>
      </div>
      {socket === 'refused' && (
        <div className="notice notice-warn" role="alert" data-testid="connection-refused">
          <span>{labSocket().getRefusal()}</span>
          <button type="button" className="button" onClick={() => labSocket().reconnect()}>
            Reconnect
          </button>
        </div>
      )}
      {confirmReset && (
        <div className="notice notice-warn" role="alertdialog" aria-label="Reset to starter">
          <span>Replace your code with the starter? You can undo this.</span>
          <button type="button" className="button button-danger" onClick={reset} autoFocus>
            Reset
          </button>
          <button type="button" className="button" onClick={() => setConfirmReset(false)}>
            Cancel
          </button>
        </div>
      )}
      {undoCode !== null && !confirmReset && (
        <div className="notice" role="status">
          <span>Your code was reset to the starter.</span>
          <button
            type="button"
            className="button"
            onClick={() => {
              editor.current?.replaceAll(undoCode);
              setUndoCode(null);
            }}
          >
            Undo
          </button>
          <button
            type="button"
            className="button button-ghost"
            aria-label="Dismiss"
            onClick={() => setUndoCode(null)}
          >
            ×
          </button>
        </div>
      )}
      {autosave.conflict && (
        <div className="notice notice-warn" role="alert" data-testid="tab-conflict">
          <span>
            This exercise was edited{' '}
            {autosave.conflict.from === 'tab' ? 'in another tab' : 'on another device'} at{' '}
            {timeOf(autosave.conflict.savedAt)}; that later version is now shown here ({MOD}+Z in
            the editor brings yours back).
          </span>
          <button type="button" className="button" onClick={autosave.dismissConflict}>
            OK
          </button>
        </div>
      )}
      <SplitPanes
        id="exercise-columns"
        orientation="horizontal"
        className="panes"
        defaultSize={34}
        separatorLabel="Resize instructions"
        separatorClassName="separator separator-v"
        first={{
          id: 'instructions',
          minSize: 18,
          className: 'pane pane-scroll',
          children: (
            <Instructions
              exercise={exercise}
              editorLoading={editorState === 'loading' || editorState === 'quick'}
            />
          ),
        }}
        second={{
          id: 'work',
          minSize: 35,
          children: (
            <SplitPanes
              id="exercise-rows"
              orientation="vertical"
              defaultSize={58}
              separatorLabel="Resize run panel"
              separatorClassName="separator separator-h"
              first={{
                id: 'editor',
                minSize: 20,
                className: 'pane',
                children: (
                  <PanelBoundary
                    title="The editor"
                    audience="student"
                    detail={EDITOR_FAILED_DETAIL}
                    onError={() => {
                      editor.current = null;
                      setEditorState('failed');
                    }}
                    onReload={() => {
                      handover.current = null;
                      setEditorState('loading');
                    }}
                  >
                    {editorModule ? (
                      <editorModule.CodeEditor
                        exerciseId={exercise.id}
                        initialValue={autosave.initial}
                        handover={handover}
                        diagnostics={diagnostics}
                        theme={theme}
                        fontSize={prefs.fontSize}
                        vim={prefs.vim}
                        onChange={autosave.change}
                        onRun={doRun}
                        onSave={doSave}
                        onReady={(handle) => {
                          editor.current = handle;
                          setEditorState('ready');
                          autosave.editorReady();
                        }}
                        onDispose={() => {
                          editor.current = null;
                          // A failed panel's editor is disposed after the failure is reported.
                          setEditorState((state) => (state === 'failed' ? state : 'loading'));
                        }}
                      />
                    ) : (
                      <div className="code-editor">
                        {editorLoadFailed && (
                          <PanelFailed
                            title="The editor"
                            detail={EDITOR_FAILED_DETAIL}
                            onReload={() => {
                              setEditorLoadFailed(false);
                              setEditorState('quick');
                              setStartMonaco((n) => n + 1);
                            }}
                          />
                        )}
                        <QuickEditor
                          initialValue={autosave.initial}
                          handover={handover}
                          theme={theme}
                          fontSize={prefs.fontSize}
                          onChange={autosave.change}
                          onQuiet={() => setStartMonaco((n) => n || 1)}
                          onReady={(handle) => {
                            editor.current = handle;
                            setEditorState((state) => (state === 'failed' ? state : 'quick'));
                            autosave.editorReady();
                          }}
                          onDispose={() => {
                            editor.current = null;
                          }}
                        />
                      </div>
                    )}
                  </PanelBoundary>
                ),
              }}
              second={{
                id: 'run',
                minSize: 15,
                className: 'pane pane-scroll',
                children: (
                  <PanelBoundary title="The run panel" audience="student" resetKey={run?.requestId}>
                    <RunPanel
                      run={run}
                      next={next}
                      onReveal={(line) => editor.current?.revealLine(line)}
                    />
                  </PanelBoundary>
                ),
              }}
            />
          ),
        }}
      />
    </div>
  );
}

export default function ExercisePage({ id }: { id: string }) {
  const exercise = useAsync(() => fetchExercise(id), [id]);
  const list = useAsync(() => fetchExercises(), []);
  useEffect(() => {
    if (exercise.state === 'ready') document.title = `${exercise.value.title} · eBPF Lab`;
  }, [exercise]);
  if (exercise.state === 'loading') return <p className="page-message">Loading the exercise…</p>;
  if (exercise.state === 'failed') {
    return (
      <div className="page-message" role="alert">
        <p>{exercise.message}</p>
        <Link href="/">Back to the exercises</Link>
      </div>
    );
  }
  let next: ExerciseSummary | undefined;
  if (list.state === 'ready') {
    const i = list.value.findIndex((e) => e.id === id);
    next = i >= 0 ? list.value[i + 1] : undefined;
  }
  return <Workspace key={id} exercise={exercise.value} next={next} />;
}
