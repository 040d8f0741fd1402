import { describe, expect, it } from 'vitest';
import { LineReader } from './line-reader.ts';

function reader(maxLineBytes: number) {
  const lines: string[] = [];
  let overlong = 0;
  const r = new LineReader(
    maxLineBytes,
    (l) => lines.push(l),
    () => overlong++,
  );
  return { r, lines, overlong: () => overlong };
}

describe('LineReader', () => {
  it('splits lines across chunks and keeps a character split between two chunks whole', () => {
    const { r, lines } = reader(1024);
    const text = Buffer.from('{"a":"é"}\n{"b":2}\n{"c"', 'utf8');
    const cut = text.indexOf(0xa9); // second byte of é
    r.push(text.subarray(0, cut));
    r.push(text.subarray(cut));
    r.push(Buffer.from(':3}'));
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}']);
    r.end();
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });

  it('drops a 40 MB line fed in small chunks without holding it, and reads on after it', () => {
    const { r, lines, overlong } = reader(4 << 20);
    const chunk = Buffer.alloc(4096, 'x');
    // 10,000 chunks: a reader that rescanned what it holds for each chunk would not finish
    r.push(Buffer.from('{"first":1}\n'));
    for (let sent = 0; sent < 40e6; sent += chunk.length) r.push(chunk);
    r.push(Buffer.from('\n{"after":1}\n'));
    expect(lines).toEqual(['{"first":1}', '{"after":1}']);
    expect(overlong()).toBe(1);
  });

  it('keeps a line of exactly the cap and drops one byte more', () => {
    const { r, lines, overlong } = reader(8);
    r.push(Buffer.from('12345678\n123456789\nok\n'));
    expect(lines).toEqual(['12345678', 'ok']);
    expect(overlong()).toBe(1);
  });
});
