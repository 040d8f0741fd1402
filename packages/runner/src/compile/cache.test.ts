import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CompileCache, cacheable, cacheKey } from './cache.ts';
import type { CacheKeyInputs } from './cache.ts';
import type { CompileResult } from './outcome.ts';

const result = (bytes: number, extra: Partial<CompileResult> = {}): CompileResult => ({
  ok: true,
  object: Buffer.alloc(bytes),
  diagnostics: [],
  log: '',
  durationMs: 1,
  ...extra,
});

describe('CompileCache', () => {
  it('stays within its byte bound, dropping the least recently used first', () => {
    const cache = new CompileCache(3000);
    cache.set('a', result(1000));
    cache.set('b', result(1000));
    expect(cache.get('a')).toBeDefined(); // a is now more recent than b
    cache.set('c', result(1000));
    expect(cache.size.bytes).toBeLessThanOrEqual(3000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('keeps nothing larger than its whole bound', () => {
    const cache = new CompileCache(100);
    cache.set('big', result(1000));
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('keeps only results another compile would repeat', () => {
    expect(cacheable(result(1))).toBe(true);
    expect(cacheable(result(0, { ok: false, limit: 'your program took more than 10 s' }))).toBe(
      false,
    );
    const crash = {
      source: 'clang',
      severity: 'error',
      line: 0,
      column: 0,
      message: 'x',
      code: 'compile/crash',
    } as const;
    expect(cacheable(result(0, { ok: false, diagnostics: [crash] }))).toBe(false);
  });
});

describe('cacheKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compile-cache-test-'));
  const header = join(dir, 'lab.h');
  const compiler = join(dir, 'clang');
  writeFileSync(header, '#define X 1\n');
  writeFileSync(compiler, 'clang 14');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const inputs = (over: Partial<CacheKeyInputs> = {}): CacheKeyInputs => ({
    source: 'int x;',
    flags: ['-O2'],
    headers: [dir],
    compiler: [compiler],
    ...over,
  });

  // Header changes are seen through the watched directories, so a key reflects one shortly after
  // it is made, not within the same turn of the event loop.
  const changesFrom = (before: string) =>
    vi.waitFor(
      () => {
        const now = cacheKey(inputs());
        expect(now).not.toBe(before);
        return now;
      },
      { timeout: 10_000, interval: 20 },
    );

  it("changes with the source, the flags, a header's content and the compiler", async () => {
    const base = cacheKey(inputs());
    expect(cacheKey(inputs())).toBe(base);
    expect(cacheKey(inputs({ source: 'int y;' }))).not.toBe(base);
    expect(cacheKey(inputs({ flags: ['-O1'] }))).not.toBe(base);
    writeFileSync(header, '#define X 2\n');
    const edited = await changesFrom(base);
    writeFileSync(compiler, 'clang 15');
    utimesSync(compiler, new Date(0), new Date(0));
    expect(cacheKey(inputs())).not.toBe(edited);
  });

  it('sees headers replaced by a rename, and added in a new directory', async () => {
    const before = cacheKey(inputs());
    writeFileSync(join(dir, 'lab.h.new'), '#define X 3\n');
    renameSync(join(dir, 'lab.h.new'), header);
    const renamed = await changesFrom(before);
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'parts', 'vmlinux-1.h'), 'struct a;\n');
    const withPart = await changesFrom(renamed);
    // The new directory is watched too: a file edited in it changes the key.
    writeFileSync(join(dir, 'parts', 'vmlinux-1.h'), 'struct b;\n');
    await changesFrom(withPart);
  });

  it('keeps the same key while nothing changes', async () => {
    const first = cacheKey(inputs());
    await new Promise((r) => setTimeout(r, 50));
    expect(cacheKey(inputs())).toBe(first);
  });

  it('does not mistake the end of one field for the start of the next', () => {
    expect(cacheKey(inputs({ flags: ['-O2', '-g'] }))).not.toBe(
      cacheKey(inputs({ flags: ['-O2-g'] })),
    );
  });
});
