// C split into coloured runs the way Monaco's C tokenizer (its Monarch `cpp` grammar) splits it,
// for the quick editor shown while Monaco loads: the same text gets the same colours, so nothing
// changes colour when Monaco takes over. Only what the lab's themes colour differently is told
// apart.
import { language } from 'monaco-editor/languages/definitions/cpp/cpp';

/** A class of token the themes colour; `plain` takes the editor's text colour. */
export type TokenKind =
  | 'plain'
  | 'keyword'
  | 'comment'
  | 'string'
  | 'number'
  | 'hex'
  | 'annotation'
  | 'delimiter'
  // Brackets, coloured by how deeply they nest (Monaco's bracket pair colours, in threes).
  | 'bracket1'
  | 'bracket2'
  | 'bracket3'
  | 'bracket-unexpected';

export interface Token {
  kind: TokenKind;
  text: string;
}

// Monaco's own keyword list (plain data, no editor code), C++ words included as Monaco has them.
const KEYWORDS = new Set(language.keywords as string[]);
const OPERATORS = new Set(language.operators as string[]);
const INT_SUFFIX = '([uU](ll|LL|l|L)|(ll|LL|l|L)?[uU]?)';
const ESCAPES = String.raw`\\(?:[0abfnrtv\\"']|x[0-9A-Fa-f]{1,4}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})`;

/** The root state's rules, in Monaco's order: the first that matches at the position wins. */
const RULES: [RegExp, TokenKind | ((text: string) => TokenKind)][] = [
  [/[a-zA-Z_]\w*/y, (word) => (KEYWORDS.has(word) ? 'keyword' : 'plain')],
  [/[ \t\r]+/y, 'plain'],
  [/\/\/.*/y, 'comment'],
  [/[<>]/y, 'delimiter'],
  [/[=><!~?:&|+\-*/^%]+/y, (symbols) => (OPERATORS.has(symbols) ? 'delimiter' : 'plain')],
  [/\d*\d+[eE]([-+]?\d+)?[fFlL]?/y, 'number'],
  [/\d*\.\d+([eE][-+]?\d+)?[fFlL]?/y, 'number'],
  [new RegExp(`0[xX][0-9a-fA-F']*[0-9a-fA-F]${INT_SUFFIX}`, 'y'), 'hex'],
  [new RegExp(`0[0-7']*[0-7]${INT_SUFFIX}`, 'y'), 'number'],
  [new RegExp(`0[bB][0-1']*[0-1]${INT_SUFFIX}`, 'y'), 'number'],
  [new RegExp(`\\d[\\d']*\\d${INT_SUFFIX}`, 'y'), 'number'],
  [new RegExp(`\\d${INT_SUFFIX}`, 'y'), 'number'],
  [/[;,.]/y, 'delimiter'],
  // A string left open runs to the end of the line, as Monaco's `string.invalid` does.
  [/"([^"\\]|\\.)*("|$)/y, 'string'],
  [new RegExp(`'(?:[^\\\\']|${ESCAPES})'`, 'y'), 'string'],
  [/'/y, 'string'],
];

/** What carries from one line to the next: a block comment, or a line comment ending in `\`. */
type Carry = 'none' | 'comment' | 'line-comment';

const BRACKET_PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const BRACKET_KINDS = ['bracket1', 'bracket2', 'bracket3'] as const;

/** Splits `source` into lines of tokens; neighbours of one kind are merged. */
export function tokenizeC(source: string): Token[][] {
  let carry: Carry = 'none';
  // Open brackets, over the whole text: a pair takes the colour of its depth.
  const open: string[] = [];
  const bracket = (c: string): TokenKind => {
    if (c in BRACKET_PAIRS) {
      if (open[open.length - 1] !== BRACKET_PAIRS[c]) return 'bracket-unexpected';
      open.pop();
      return BRACKET_KINDS[open.length % 3]!;
    }
    open.push(c);
    return BRACKET_KINDS[(open.length - 1) % 3]!;
  };
  return source.split('\n').map((line) => {
    const tokens: Token[] = [];
    const push = (kind: TokenKind, text: string) => {
      if (text === '') return;
      const last = tokens[tokens.length - 1];
      if (last?.kind === kind) last.text += text;
      else tokens.push({ kind, text });
    };
    if (carry === 'line-comment') {
      push('comment', line);
      carry = line.endsWith('\\') ? 'line-comment' : 'none';
      return tokens;
    }
    let i = 0;
    const directive = /^\s*#\s*\w+/.exec(line);
    if (directive && !/^\s*#\s*include/.test(line) && carry === 'none') {
      push('keyword', directive[0]);
      i = directive[0].length;
    }
    const include =
      carry === 'none' ? /^(\s*#\s*include)(\s*)([<"])([^<>"]*)([>"])?/.exec(line) : null;
    if (include) {
      // `#include <file>` and `#include "file"`: the brackets are the directive's, the name a string.
      push('keyword', include[1]);
      push('plain', include[2]);
      if (include[5]) {
        push('keyword', include[3]);
        push('string', include[4]);
        push('keyword', include[5]);
        i = include[0].length;
      } else {
        i = include[1].length + include[2].length;
      }
    }
    while (i < line.length) {
      if (carry === 'comment') {
        const end = line.indexOf('*/', i);
        const stop = end < 0 ? line.length : end + 2;
        push('comment', line.slice(i, stop));
        i = stop;
        if (end >= 0) carry = 'none';
        continue;
      }
      if (line.startsWith('/*', i)) {
        carry = 'comment';
        push('comment', '/*');
        i += 2;
        continue;
      }
      const attribute = /\[\s*\[/y;
      attribute.lastIndex = i;
      if (attribute.test(line)) {
        // [[attributes]], to their closing brackets.
        const end = line.indexOf(']]', attribute.lastIndex);
        const stop = end < 0 ? line.length : end + 2;
        push('annotation', line.slice(i, stop));
        i = stop;
        continue;
      }
      if ('(){}[]'.includes(line[i]!)) {
        // Each bracket on its own: two of them side by side may differ in colour.
        tokens.push({ kind: bracket(line[i]!), text: line[i]! });
        i++;
        continue;
      }
      let matched = false;
      for (const [re, kind] of RULES) {
        re.lastIndex = i;
        const m = re.exec(line);
        if (!m || m[0] === '') continue;
        push(typeof kind === 'function' ? kind(m[0]) : kind, m[0]);
        if (re.source.startsWith('\\/\\/') && m[0].endsWith('\\')) carry = 'line-comment';
        i += m[0].length;
        matched = true;
        break;
      }
      if (!matched) push('plain', line[i++]!);
    }
    return tokens;
  });
}
