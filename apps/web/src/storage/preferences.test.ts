import { afterEach, describe, expect, it, vi } from 'vitest';

const KEY = 'ebpf-lab:preferences';

/** The module as a fresh page load finds it, with `stored` in localStorage. */
async function loadWith(stored: string | null) {
  localStorage.clear();
  if (stored !== null) localStorage.setItem(KEY, stored);
  vi.resetModules();
  return import('./preferences.ts');
}

afterEach(() => localStorage.clear());

describe('preferences', () => {
  it('start from the defaults, and keep what was set across loads', async () => {
    const first = await loadWith(null);
    expect(first.getPreferences()).toEqual({ theme: 'system', vim: false, fontSize: 14 });
    first.setPreferences({ theme: 'dark', fontSize: 18 });
    const again = await loadWith(localStorage.getItem(KEY));
    expect(again.getPreferences()).toEqual({ theme: 'dark', vim: false, fontSize: 18 });
  });

  it('fill in a field an older version did not store', async () => {
    const { getPreferences } = await loadWith(JSON.stringify({ vim: true }));
    expect(getPreferences()).toEqual({ theme: 'system', vim: true, fontSize: 14 });
  });

  it('fall back to the defaults when what is stored is broken or out of range', async () => {
    for (const bad of [
      '{not json',
      '[]',
      'null',
      JSON.stringify({ theme: 'purple' }),
      JSON.stringify({ fontSize: 400 }),
      JSON.stringify({ fontSize: 14.5 }),
      JSON.stringify({ vim: 'yes' }),
    ]) {
      const { getPreferences } = await loadWith(bad);
      expect(getPreferences(), bad).toEqual({ theme: 'system', vim: false, fontSize: 14 });
    }
  });

  it('refuse a value out of range, keeping what was there', async () => {
    const { getPreferences, setPreferences } = await loadWith(null);
    expect(() => setPreferences({ fontSize: 29 })).toThrow(/out of range/);
    expect(() => setPreferences({ vim: undefined })).toThrow(/out of range/);
    expect(getPreferences().fontSize).toBe(14);
    expect(localStorage.getItem(KEY)).toBeNull();
  });
});
