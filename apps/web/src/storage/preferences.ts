import { useSyncExternalStore } from 'react';
import { readJson, writeJson } from './local-json.ts';
import { isBoolean, isInteger, objectOf, oneOf, optional } from './shape.ts';

const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

export interface Preferences {
  theme: ThemeChoice;
  vim: boolean;
  /** 10 to 28 px. */
  fontSize: number;
}

const isFontSize = (value: unknown): value is number =>
  isInteger(value) && value >= 10 && value <= 28;

const isPreferences = objectOf({
  theme: oneOf(THEME_CHOICES),
  vim: isBoolean,
  fontSize: isFontSize,
});

/** Stored preferences: a field left out (saved by an older version) takes its default. */
const isStored = objectOf({
  theme: optional(oneOf(THEME_CHOICES)),
  vim: optional(isBoolean),
  fontSize: optional(isFontSize),
});

const KEY = 'ebpf-lab:preferences';
const DEFAULTS: Preferences = { theme: 'system', vim: false, fontSize: 14 };

function readStored(): Preferences {
  const stored = readJson(KEY, isStored, {});
  return {
    theme: stored.theme ?? DEFAULTS.theme,
    vim: stored.vim ?? DEFAULTS.vim,
    fontSize: stored.fontSize ?? DEFAULTS.fontSize,
  };
}

const listeners = new Set<() => void>();
let current: Preferences = readStored();

export function getPreferences(): Preferences {
  return current;
}

export function setPreferences(patch: Partial<Preferences>): void {
  const next = { ...current, ...patch };
  if (!isPreferences(next)) throw new Error(`preferences out of range: ${JSON.stringify(patch)}`);
  current = next;
  writeJson(KEY, current);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY) return;
    current = readStored();
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
