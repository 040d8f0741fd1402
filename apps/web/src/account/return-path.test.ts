import { describe, expect, it } from 'vitest';
import { returnPath } from './AccountPage.tsx';

describe('the path signing in returns to', () => {
  it('is a path on this lab', () => {
    expect(returnPath('?next=%2Fexercises%2Fread-file-password')).toBe(
      '/exercises/read-file-password',
    );
    expect(returnPath('')).toBeNull();
  });

  it('is never another site', () => {
    for (const next of [
      '//evil.test',
      '/\\evil.test',
      '/\t/evil.test',
      '/\n/evil.test',
      'https://evil.test',
      'javascript:alert(1)',
    ]) {
      expect(returnPath(`?next=${encodeURIComponent(next)}`)).toBeNull();
    }
  });
});
