import { afterEach, describe, expect, it, vi } from 'vitest';
import { TAB_ID, clearSavedCode, localSaveBackend } from './code-store.ts';
import type { SavedCode } from './code-store.ts';

afterEach(() => clearSavedCode('ex'));

describe('local save backend', () => {
  it('keeps every change at once and restores it', () => {
    expect(localSaveBackend.load('ex')).toBeNull();
    localSaveBackend.save('ex', 'int x;');
    expect(localSaveBackend.load('ex')?.code).toBe('int x;');
  });

  it('tells this tab when another tab saved a later edit, but not about its own', () => {
    const listener = vi.fn();
    const off = localSaveBackend.onExternalChange('ex', listener);
    const key = 'ebpf-lab:code:ex';
    const fire = (value: SavedCode) =>
      window.dispatchEvent(new StorageEvent('storage', { key, newValue: JSON.stringify(value) }));
    fire({ code: 'mine', savedAt: 1, tabId: TAB_ID });
    expect(listener).not.toHaveBeenCalled();
    fire({ code: 'theirs', savedAt: 2, tabId: 'other-tab' });
    expect(listener).toHaveBeenCalledWith({ code: 'theirs', savedAt: 2, tabId: 'other-tab' });
    window.dispatchEvent(
      new StorageEvent('storage', { key: 'ebpf-lab:code:other', newValue: '{}' }),
    );
    expect(listener).toHaveBeenCalledTimes(1);
    off();
  });

  it('ignores a stored value it cannot read', () => {
    localStorage.setItem('ebpf-lab:code:ex', '{not json');
    expect(localSaveBackend.load('ex')).toBeNull();
  });

  it('ignores a stored value of the wrong shape, here and from another tab', () => {
    for (const bad of [
      { code: 42, savedAt: 1, tabId: 't' },
      { code: 'x', savedAt: '1', tabId: 't' },
      { code: 'x', savedAt: 1 },
      ['x', 1, 't'],
      null,
    ]) {
      localStorage.setItem('ebpf-lab:code:ex', JSON.stringify(bad));
      expect(localSaveBackend.load('ex')).toBeNull();
    }
    const listener = vi.fn();
    const off = localSaveBackend.onExternalChange('ex', listener);
    window.dispatchEvent(
      new StorageEvent('storage', {
        key: 'ebpf-lab:code:ex',
        newValue: JSON.stringify({ code: ['x'], savedAt: 2, tabId: 'other-tab' }),
      }),
    );
    expect(listener).not.toHaveBeenCalled();
    off();
  });
});
