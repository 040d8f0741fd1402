import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { measureBundle } from './web.ts';

let dist: string | undefined;
afterEach(() => {
  if (dist) rmSync(dist, { recursive: true, force: true });
  dist = undefined;
});

describe('the bundle size', () => {
  it("counts a file the build gzipped once, at its .gz's size, and gzips the others", () => {
    dist = mkdtempSync(join(tmpdir(), 'lab-bundle-'));
    mkdirSync(join(dist, 'assets'));
    const chunk = 'export const a = 1;\n'.repeat(5000);
    const page = '<p>page</p>'.repeat(100);
    // Not what gzip would make of the chunk: the count must come from this file.
    const gz = Buffer.alloc(1234, 7);
    writeFileSync(join(dist, 'assets', 'chunk-1.js'), chunk);
    writeFileSync(join(dist, 'assets', 'chunk-1.js.gz'), gz);
    writeFileSync(join(dist, 'index.html'), page);
    // A .gz with nothing beside it is a file of the bundle like any other.
    writeFileSync(join(dist, 'assets', 'data.gz'), gz);

    const size = measureBundle(dist);
    expect(size.bytes).toBe(chunk.length + page.length + gz.length);
    expect(size.gzipBytes).toBe(1234 + gzipSync(page).length + gzipSync(gz).length);
    expect(size.largest.map((f) => f.file).sort()).toEqual(
      ['assets/chunk-1.js', 'assets/data.gz', 'index.html'].sort(),
    );
  });
});
