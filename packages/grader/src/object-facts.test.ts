import { describe, expect, it } from 'vitest';
import { keyHoles, objectFacts } from './object-facts.ts';

describe('keyHoles', () => {
  it('finds the tail padding of {u64; u32}', () => {
    expect(
      keyHoles(16, [
        { offset: 0, size: 8 },
        { offset: 8, size: 4 },
      ]),
    ).toEqual([{ offset: 12, size: 4 }]);
  });
  it('finds an alignment hole in the middle of {u32; u64}', () => {
    expect(
      keyHoles(16, [
        { offset: 0, size: 4 },
        { offset: 8, size: 8 },
      ]),
    ).toEqual([{ offset: 4, size: 4 }]);
  });
  it('finds none in {u32; u32}', () => {
    expect(
      keyHoles(8, [
        { offset: 0, size: 4 },
        { offset: 4, size: 4 },
      ]),
    ).toEqual([]);
  });
});

describe('objectFacts', () => {
  it('keeps the key layouts and ignores the rest of the static outcome', () => {
    const facts = objectFacts({
      ok: true,
      diagnostics: [],
      mapKeys: [{ map: 'm', size: 16, holes: [{ offset: 12, size: 4 }] }],
    });
    expect(facts).toEqual({ mapKeys: [{ map: 'm', size: 16, holes: [{ offset: 12, size: 4 }] }] });
    expect(objectFacts({ ok: true, mapKeys: 'nonsense' })).toEqual({});
    expect(objectFacts(undefined)).toEqual({});
  });
});
