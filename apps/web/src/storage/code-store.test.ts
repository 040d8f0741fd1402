import { afterEach, describe, expect, it, vi } from 'vitest';
import { SavedCode, TAB_ID, clearSavedCode, localSaveBackend } from './code-store.ts';

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
});
