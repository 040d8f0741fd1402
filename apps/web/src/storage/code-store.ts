import { readJson, writeJson } from './local-json.ts';
import { isNumber, isString, objectOf } from './shape.ts';

/** Where a student's code is kept. Local storage now; the server's store joins when signed in. */
export interface SaveBackend {
  load(exerciseId: string): SavedCode | null;
  save(exerciseId: string, code: string): SavedCode;
  /** Called when another tab saved this exercise; returns the unsubscribe function. */
  onExternalChange(exerciseId: string, listener: (saved: SavedCode) => void): () => void;
}

export interface SavedCode {
  code: string;
  savedAt: number;
  /** Which tab wrote it, so a tab can tell its own writes from another's. */
  tabId: string;
}

export const isSavedCode = objectOf({ code: isString, savedAt: isNumber, tabId: isString });

const keyOf = (exerciseId: string) => `ebpf-lab:code:${exerciseId}`;

export const TAB_ID =
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : Math.random().toString(36).slice(2);

// Every keystroke is written at once: storage is synchronous and the code is small (64 KiB cap),
// so there is no window in which a crash or a closed tab loses an edit.
export const localSaveBackend: SaveBackend = {
  load(exerciseId) {
    return readJson<SavedCode | null>(keyOf(exerciseId), isSavedCode, null);
  },
  save(exerciseId, code) {
    const saved: SavedCode = { code, savedAt: Date.now(), tabId: TAB_ID };
    writeJson(keyOf(exerciseId), saved);
    return saved;
  },
  onExternalChange(exerciseId, listener) {
    // The storage event fires only in the *other* tabs, which is exactly "the later edit wins".
    const onStorage = (event: StorageEvent) => {
      if (event.key !== keyOf(exerciseId) || event.newValue === null) return;
      try {
        const saved: unknown = JSON.parse(event.newValue);
        if (isSavedCode(saved) && saved.tabId !== TAB_ID) listener(saved);
      } catch {
        // A value we cannot read is not a newer edit.
      }
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  },
};

export function clearSavedCode(exerciseId: string): void {
  try {
    localStorage.removeItem(keyOf(exerciseId));
  } catch {
    // Nothing to clear when storage is unavailable.
  }
}
