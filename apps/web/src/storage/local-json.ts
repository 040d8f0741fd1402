import type { Check } from './shape.ts';

// localStorage can be full, disabled (private mode) or hold values from an older version:
// every read is checked and every failure falls back instead of breaking the page.
export function readJson<T>(key: string, check: Check<T>, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    if (raw === null) return fallback;
    const parsed: unknown = JSON.parse(raw);
    return check(parsed) ? parsed : fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(key: string, value: unknown): boolean {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
