// Decoding the compile server's answer keeps only the messages the lab shows, as plain clang's
// capped output does: a flood of warnings must not be decoded whole on the server's event loop.
import { describe, expect, it } from 'vitest';
import { decodeAnswer } from '../src/compile/compile-server.ts';
import { STDERR_TAIL_BYTES } from '../src/compile/outcome.ts';
import { COMPILE_LIMITS } from '../src/compile/sandbox.ts';

function answer(object: Buffer, stderr: Buffer): Buffer {
  const header = Buffer.alloc(14);
  header.write('BPFC', 0, 'latin1');
  header.writeInt32LE(0, 6);
  header.writeInt32LE(0, 10);
  const n = Buffer.alloc(4);
  n.writeUInt32LE(object.length);
  const m = Buffer.alloc(4);
  m.writeUInt32LE(stderr.length);
  return Buffer.concat([header, n, object, m, stderr]);
}

describe('decodeAnswer', () => {
  it('keeps the first messages and the tail of a flood, and says it cut them', () => {
    const line = '<stdin>:9:3: warning: implicit conversion changes value from 999 to -25\n';
    const flood = Buffer.from(
      line.repeat(Math.ceil((4 * COMPILE_LIMITS.stderrBytes) / line.length)) + 'the end\n',
    );
    const raw = decodeAnswer(answer(Buffer.from('object'), flood));
    expect(raw.object.toString()).toBe('object');
    expect(raw.stderr).toBe(flood.subarray(0, COMPILE_LIMITS.stderrBytes).toString());
    expect(raw.stderrTruncated).toBe(true);
    expect(raw.stderrTail).toBe(flood.subarray(flood.length - STDERR_TAIL_BYTES).toString());
  });

  it('decodes messages under the cap whole, with nothing cut', () => {
    const raw = decodeAnswer(answer(Buffer.alloc(0), Buffer.from('a warning\n')));
    expect(raw.stderr).toBe('a warning\n');
    expect(raw.stderrTruncated).toBeUndefined();
    expect(raw.stderrTail).toBeUndefined();
  });
});
