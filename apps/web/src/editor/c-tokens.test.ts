// The quick editor's colouring follows Monaco's C tokenizer, so nothing changes colour at the
// hand-over: the kinds below are what Monaco's Monarch `cpp` rules make of the same text.
import { describe, expect, it } from 'vitest';
import { tokenizeC } from './c-tokens.ts';

const kinds = (source: string) =>
  tokenizeC(source).map((line) => line.map((t) => `${t.kind}:${t.text}`));

describe('the C colouring', () => {
  it('colours directives, include names, keywords, numbers, strings and comments', () => {
    expect(kinds('#include "lab.h"\n#define N 0x10\nint x = 42; // n\nchar *s = "a\\"b";')).toEqual(
      [
        ['keyword:#include', 'plain: ', 'keyword:"', 'string:lab.h', 'keyword:"'],
        ['keyword:#define', 'plain: N ', 'hex:0x10'],
        [
          'keyword:int',
          'plain: x ',
          'delimiter:=',
          'plain: ',
          'number:42',
          'delimiter:;',
          'plain: ',
          'comment:// n',
        ],
        [
          'keyword:char',
          'plain: ',
          'delimiter:*',
          'plain:s ',
          'delimiter:=',
          'plain: ',
          'string:"a\\"b"',
          'delimiter:;',
        ],
      ],
    );
  });

  it('carries a block comment across lines and colours brackets by depth', () => {
    expect(kinds('/* a\nb */ f(a[i]) {}\n)')).toEqual([
      ['comment:/* a'],
      [
        'comment:b */',
        'plain: f',
        'bracket1:(',
        'plain:a',
        'bracket2:[',
        'plain:i',
        'bracket2:]',
        'bracket1:)',
        'plain: ',
        'bracket1:{',
        'bracket1:}',
      ],
      ['bracket-unexpected:)'],
    ]);
  });

  it('keeps every character, on the same lines', () => {
    const source = 'SEC("tp/x")\nint f(void *ctx)\n{\n\treturn 0; /* done */\n}\n';
    expect(
      tokenizeC(source)
        .map((line) => line.map((t) => t.text).join(''))
        .join('\n'),
    ).toBe(source);
  });
});
