import { describe, expect, it } from 'vitest';
import { findUnsafeFormats } from './format-strings.ts';

const rodata = (...strings: string[]) => ({
  name: '.rodata',
  data: Buffer.from(strings.join('\0') + '\0', 'latin1'),
});

describe('findUnsafeFormats', () => {
  it('accepts number formats and a literal percent sign', () => {
    expect(
      findUnsafeFormats([rodata('fd=%d ret=%ld', 'pid %u, %llx, %c', '100%% done', '%-08x|%5lu')]),
    ).toEqual([]);
  });

  it('refuses %%s, which read from its second byte is %s', () => {
    expect(findUnsafeFormats([rodata('100%%s')]).map((f) => f.conversion)).toEqual(['%s']);
  });

  it('refuses %s and every %p form, with flags, width and length', () => {
    const found = findUnsafeFormats([rodata('name=%s', 'addr %pK', 'x%-20.4s', 'ok %d')]).map(
      (f) => f.conversion,
    );
    expect(found).toEqual(['%s', '%p', '%-20.4s']);
  });

  it('looks in every .rodata section and nowhere else', () => {
    const found = findUnsafeFormats([
      { name: '.rodata.str1.1', data: Buffer.from('path %s\0') },
      { name: '.data', data: Buffer.from('not a format %s\0') },
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ section: '.rodata.str1.1', offset: 0, text: 'path %s' });
  });

  it('finds a format that does not start at a string boundary of its own', () => {
    const data = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from('%s')]);
    expect(findUnsafeFormats([{ name: '.rodata', data }])).toHaveLength(1);
  });
});
