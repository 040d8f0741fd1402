import { useCallback, useEffect, useRef, useState } from 'react';
import type { SaveBackend, SavedCode } from '../storage/code-store.ts';

export interface Autosave {
  /** The code to open the editor with: the saved copy, else the starter. */
  initial: string;
  savedAt: number | null;
  /** Set when another tab's later edit replaced ours. */
  conflict: SavedCode | null;
  change(code: string): void;
  saveNow(code: string): void;
  dismissConflict(): void;
}

export function useAutosave(
  backend: SaveBackend,
  exerciseId: string,
  starter: string,
  applyExternal: (code: string) => void,
): Autosave {
  const [initial] = useState(() => backend.load(exerciseId)?.code ?? starter);
  const [savedAt, setSavedAt] = useState<number | null>(() => backend.load(exerciseId)?.savedAt ?? null);
  const [conflict, setConflict] = useState<SavedCode | null>(null);
  // While another tab's code is being put into the editor, its change event must not be saved
  // back (that would bounce between the tabs).
  const applying = useRef(false);
  const applyRef = useRef(applyExternal);
  applyRef.current = applyExternal;

  useEffect(
    () =>
      backend.onExternalChange(exerciseId, (saved) => {
        applying.current = true;
        try {
          applyRef.current(saved.code);
        } finally {
          applying.current = false;
        }
        setSavedAt(saved.savedAt);
        setConflict(saved);
      }),
    [backend, exerciseId],
  );

  const change = useCallback(
    (code: string) => {
      if (applying.current) return;
      setSavedAt(backend.save(exerciseId, code).savedAt);
    },
    [backend, exerciseId],
  );

  return {
    initial,
    savedAt,
    conflict,
    change,
    saveNow: change,
    dismissConflict: () => setConflict(null),
  };
}
