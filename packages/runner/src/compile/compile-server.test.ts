import { describe, expect, it } from 'vitest';
import { parseJobLine } from './cc1-args.ts';
import { CompileServerUnavailable, decodeAnswer } from './compile-server.ts';

function answer(
  kind: number,
  tooBig: number,
  exit: number,
  signal: number,
  object: string,
  stderr: string,
): Buffer {
  const head = Buffer.alloc(14);
  head.write('BPFC', 0, 'latin1');
  head[4] = kind;
  head[5] = tooBig;
  head.writeInt32LE(exit, 6);
  head.writeInt32LE(signal, 10);
  const len = (s: string) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(Buffer.byteLength(s));
    return b;
  };
  return Buffer.concat([head, len(object), Buffer.from(object), len(stderr), Buffer.from(stderr)]);
}

describe('decodeAnswer', () => {
  it('reads a finished compile', () => {
    const r = decodeAnswer(answer(0, 0, 1, 0, 'ELF', '<stdin>:1:1: error: x\n'));
    expect(r).toMatchObject({ code: 1, signal: undefined, objectTooBig: false, timedOut: false });
    expect(r.object.toString()).toBe('ELF');
    expect(r.stderr).toBe('<stdin>:1:1: error: x\n');
  });

  it('reads a worker killed by its wall-clock alarm as a timeout, and the object cap', () => {
    expect(decodeAnswer(answer(0, 0, -1, 14, '', ''))).toMatchObject({
      code: null,
      signal: 14,
      timedOut: true,
    });
    expect(decodeAnswer(answer(0, 1, -1, 9, '', '')).objectTooBig).toBe(true);
  });

  it('refuses a worker that could not set itself up, and anything cut short', () => {
    expect(() => decodeAnswer(answer(1, 0, 111, 0, '', ''))).toThrow(CompileServerUnavailable);
    const whole = answer(0, 0, 0, 0, 'ELF', 'messages');
    expect(() => decodeAnswer(whole.subarray(0, whole.length - 1))).toThrow(
      CompileServerUnavailable,
    );
    expect(() => decodeAnswer(Buffer.alloc(0))).toThrow(CompileServerUnavailable);
  });
});

describe('parseJobLine', () => {
  it("splits the driver's quoted job line and undoes its escapes", () => {
    expect(parseJobLine(' "/usr/bin/clang" "-cc1" "-D" "A=\\"b c\\"" "-x" "c" "-"')).toEqual([
      '/usr/bin/clang',
      '-cc1',
      '-D',
      'A="b c"',
      '-x',
      'c',
      '-',
    ]);
  });
});
