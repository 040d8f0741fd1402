import { useSyncExternalStore } from 'react';
import { z } from 'zod';
import { readJson, writeJson } from './local-json.ts';

export const ThemeChoice = z.enum(['system', 'light', 'dark']);
export type ThemeChoice = z.infer<typeof ThemeChoice>;

export const Preferences = z.object({
  theme: ThemeChoice.default('system'),
  vim: z.boolean().default(false),
  fontSize: z.number().int().min(10).max(28).default(14),
});
export type Preferences = z.infer<typeof Preferences>;

const KEY = 'ebpf-lab:preferences';
const DEFAULTS: Preferences = Preferences.parse({});
const listeners = new Set<() => void>();
let current: Preferences = readJson(KEY, Preferences, DEFAULTS);

export function getPreferences(): Preferences {
  return current;
}

export function setPreferences(patch: Partial<Preferences>): void {
  current = Preferences.parse({ ...current, ...patch });
  writeJson(KEY, current);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY) return;
    current = readJson(KEY, Preferences, DEFAULTS);
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function usePreferences(): Preferences {
  return useSyncExternalStore(subscribe, getPreferences, getPreferences);
}

const darkQuery = () =>
  typeof window.matchMedia === 'function'
    ? window.matchMedia('(prefers-color-scheme: dark)')
    : null;

function subscribeSystem(listener: () => void): () => void {
  const query = darkQuery();
  query?.addEventListener('change', listener);
  return () => query?.removeEventListener('change', listener);
}

/** The theme actually shown: the choice, or the system's when the choice is `system`. */
export function useResolvedTheme(): 'light' | 'dark' {
  const { theme } = usePreferences();
  const systemDark = useSyncExternalStore(
    subscribeSystem,
    () => darkQuery()?.matches ?? false,
    () => false,
  );
  if (theme === 'system') return systemDark ? 'dark' : 'light';
  return theme;
}
