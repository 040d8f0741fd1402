import { useCallback, useEffect, useRef, useState } from 'react';
import type { SaveBackend, SavedCode } from '../storage/code-store.ts';
import { connectDraftServer } from '../storage/server-drafts.ts';
import type { DraftServer } from '../storage/server-drafts.ts';

/** A later edit made elsewhere that replaced the code in this editor. */
export interface Conflict {
  savedAt: number;
  from: 'tab' | 'device';
}

export type ServerSave =
  | { state: 'off' }
  | { state: 'saving' }
  | { state: 'saved'; at: number }
  | { state: 'failed'; message: string };

export interface Autosave {
  /** The code to open the editor with: the saved copy, else the starter. */
  initial: string;
  savedAt: number | null;
  /** Set when another tab's or device's later edit replaced ours. */
  conflict: Conflict | null;
  /** The copy in the student's account (signed in only). */
  server: ServerSave;
  change(code: string): void;
  saveNow(code: string): void;
  /**
   * An editor (re)mounted: it opened with `initial`, so the code it should show now (a later
   * edit that arrived while Monaco loaded, or what was typed before a remount) is put into it.
   */
  editorReady(): void;
  dismissConflict(): void;
}

// The server copy follows typing after this pause; local storage has every keystroke already.
const SERVER_SAVE_DELAY_MS = 800;

export function useAutosave(
  backend: SaveBackend,
  exerciseId: string,
  starter: string,
  /**
   * Puts code into the editor (leaving it alone when it already shows that code); false while
   * the editor is still loading.
   */
  applyExternal: (code: string) => boolean,
  connect: () => Promise<DraftServer | null> = connectDraftServer,
  /** The exercise continues another: a signed-in student starts from their own code of it. */
  continues = false,
): Autosave {
  const [initial] = useState(() => backend.load(exerciseId)?.code ?? starter);
  const [savedAt, setSavedAt] = useState<number | null>(
    () => backend.load(exerciseId)?.savedAt ?? null,
  );
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [server, setServer] = useState<ServerSave>({ state: 'off' });
  // While another tab's code is being put into the editor, its change event must not be saved
  // back (that would bounce between the tabs).
  const applying = useRef(false);
  const applyRef = useRef(applyExternal);
  applyRef.current = applyExternal;
  const remote = useRef<DraftServer | null>(null);
  const pending = useRef<{ code: string; at: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The code the editor should show: what it opened with, then every edit typed or taken from
  // another tab or device. An editor mounted later opens with `initial` only (it is uncontrolled
  // and `initial` is fixed), and it can mount more than once: the lazy editor mounts after the
  // account's draft may have arrived, and React's StrictMode mounts it, tears it down and mounts
  // it again, so a "deferred edit" consumed by the first mount was lost on the second.
  const shown = useRef(initial);

  const putInEditor = useCallback((code: string) => {
    applying.current = true;
    try {
      applyRef.current(code);
    } finally {
      applying.current = false;
    }
  }, []);

  const applyLater = useCallback((code: string, at: number, from: Conflict['from']) => {
    shown.current = code;
    // While the editor loads this does nothing; editorReady puts the code in once it is up.
    putInEditor(code);
    setSavedAt(at);
    setConflict({ savedAt: at, from });
  }, []);

  const pushNow = useCallback(
    async (keepalive = false) => {
      clearTimeout(timer.current);
      const edit = pending.current;
      const client = remote.current;
      if (!edit || !client) return;
      pending.current = null;
      setServer({ state: 'saving' });
      try {
        const kept = await client.save(exerciseId, edit.code, edit.at, {
          keepalive,
        });
        if (kept.code !== edit.code && kept.editedAtMs > edit.at && !pending.current) {
          // Another device saved a later edit meanwhile: it wins, here too.
          backend.save(exerciseId, kept.code);
          applyLater(kept.code, kept.editedAtMs, 'device');
        }
        setServer({ state: 'saved', at: Date.now() });
      } catch (e) {
        // The local copy still has it; the next edit (or focus) tries again.
        if (!pending.current) pending.current = edit;
        setServer({
          state: 'failed',
          message: e instanceof Error ? e.message : String(e),
        });
      }
    },
    [applyLater, backend, exerciseId],
  );

  const schedule = useCallback(
    (code: string, at: number) => {
      if (!remote.current) return;
      pending.current = { code, at };
      setServer({ state: 'saving' });
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void pushNow(), SERVER_SAVE_DELAY_MS);
    },
    [pushNow],
  );

  useEffect(
    () =>
      backend.onExternalChange(exerciseId, (saved: SavedCode) =>
        applyLater(saved.code, saved.savedAt, 'tab'),
      ),
    [applyLater, backend, exerciseId],
  );

  // Signed in: compare with the account's copy on open and whenever the page comes back into
  // view (the student may have typed on another device meanwhile); the later edit wins.
  useEffect(() => {
    let closed = false;
    const pull = async () => {
      const client = remote.current;
      if (!client || pending.current) return;
      try {
        const draft = await client.load(exerciseId);
        if (closed) return;
        const local = backend.load(exerciseId);
        if (!draft && !local && continues && shown.current === initial) {
          // Nothing saved anywhere yet: open on the student's own code of the exercise this one
          // continues, passed on any device (this browser only knows its own attempts).
          const own = await client.starter(exerciseId);
          if (!closed && own !== null && own !== shown.current && shown.current === initial) {
            shown.current = own;
            putInEditor(own);
          }
        } else if (
          draft &&
          (!local || draft.editedAtMs > local.savedAt) &&
          draft.code !== local?.code
        ) {
          backend.save(exerciseId, draft.code);
          applyLater(draft.code, draft.editedAtMs, 'device');
        } else if (
          local &&
          (!draft || local.savedAt > draft.editedAtMs) &&
          local.code !== draft?.code
        ) {
          schedule(local.code, local.savedAt);
        }
        setServer((s) => (s.state === 'off' ? { state: 'saved', at: Date.now() } : s));
      } catch (e) {
        setServer({
          state: 'failed',
          message: e instanceof Error ? e.message : String(e),
        });
      }
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void pull();
      // Leaving the page: send what is pending now (keepalive outlives the page).
      else void pushNow(true);
    };
    void connect().then((client) => {
      if (closed || !client) return;
      remote.current = client;
      void pull();
    });
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('pagehide', onVisible);
    return () => {
      closed = true;
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('pagehide', onVisible);
      void pushNow(true);
      remote.current = null;
    };
  }, [
    applyLater,
    backend,
    connect,
    continues,
    exerciseId,
    initial,
    pushNow,
    putInEditor,
    schedule,
  ]);

  const change = useCallback(
    (code: string) => {
      if (applying.current) return;
      shown.current = code;
      const saved = backend.save(exerciseId, code);
      setSavedAt(saved.savedAt);
      schedule(code, saved.savedAt);
    },
    [backend, exerciseId, schedule],
  );

  const saveNow = useCallback(
    (code: string) => {
      change(code);
      void pushNow();
    },
    [change, pushNow],
  );

  const editorReady = useCallback(() => putInEditor(shown.current), [putInEditor]);

  return {
    editorReady,
    initial,
    savedAt,
    conflict,
    server,
    change,
    saveNow,
    dismissConflict: () => setConflict(null),
  };
}
