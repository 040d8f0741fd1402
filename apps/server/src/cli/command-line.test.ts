import { describe, expect, it } from 'vitest';
import { helpText, parseCommandLine, usageErrorText } from './command-line.ts';

const GRADE = {
  usage: 'usage: grade <exercise-id> <file.c> [--json] [--name <name>]',
  description: ['Grades one file.'],
  options: { json: { type: 'boolean' }, name: { type: 'string' } },
  positionals: ['<exercise-id>', '<file.c>'],
} as const;

const parse = (...args: string[]) => parseCommandLine(args, GRADE);

describe('parseCommandLine', () => {
  it('reads options wherever they stand, the last argument included', () => {
    expect(parse('ex', 'a.c', '--json')).toEqual({
      kind: 'ok',
      values: { json: true },
      positionals: ['ex', 'a.c'],
    });
    expect(parse('--json', 'ex', '--name', 'Ada', 'a.c')).toMatchObject({
      kind: 'ok',
      values: { json: true, name: 'Ada' },
      positionals: ['ex', 'a.c'],
    });
    expect(parse('ex', 'a.c', '--name=Ada')).toMatchObject({ values: { name: 'Ada' } });
  });

  it('leaves an option that was not given out', () => {
    const parsed = parse('ex', 'a.c');
    expect(parsed).toMatchObject({ kind: 'ok', positionals: ['ex', 'a.c'] });
    if (parsed.kind === 'ok') {
      expect(parsed.values.json).toBeUndefined();
      expect(parsed.values.name).toBeUndefined();
    }
  });

  it('refuses an unknown option, long or short, instead of reading it as a file', () => {
    expect(parse('ex', 'a.c', '--check')).toEqual({
      kind: 'error',
      message: 'unknown option --check',
    });
    expect(parse('ex', '-x', 'a.c')).toEqual({ kind: 'error', message: 'unknown option -x' });
  });

  it('refuses a string option given last without its value', () => {
    expect(parse('ex', 'a.c', '--name')).toEqual({
      kind: 'error',
      message: '--name needs a value',
    });
  });

  it('refuses to take the next option as a value, and says how to write one with a dash', () => {
    expect(parse('ex', 'a.c', '--name', '--json')).toEqual({
      kind: 'error',
      message: '--name needs a value (one that starts with "-" is written --name=--json)',
    });
    expect(parse('ex', 'a.c', '--name=-dash')).toMatchObject({ values: { name: '-dash' } });
  });

  it('refuses a value given to a boolean option', () => {
    expect(parse('ex', 'a.c', '--json=no')).toEqual({
      kind: 'error',
      message: '--json takes no value',
    });
  });

  it('names the missing positional arguments', () => {
    expect(parse()).toEqual({ kind: 'error', message: 'missing <exercise-id> <file.c>' });
    expect(parse('ex', '--json')).toEqual({ kind: 'error', message: 'missing <file.c>' });
  });

  it('refuses an argument more than the usage takes', () => {
    expect(parse('ex', 'a.c', 'b.c')).toEqual({
      kind: 'error',
      message: 'unexpected argument "b.c"',
    });
  });

  it('reads what follows -- as arguments, so a file may start with a dash', () => {
    expect(parse('--json', '--', 'ex', '-odd.c')).toEqual({
      kind: 'ok',
      values: { json: true },
      positionals: ['ex', '-odd.c'],
    });
  });

  it('answers --help and -h, even next to a mistake', () => {
    expect(parse('--help')).toEqual({ kind: 'help' });
    expect(parse('-h')).toEqual({ kind: 'help' });
    expect(parse('ex', 'a.c', '--bogus', '--help')).toEqual({ kind: 'help' });
  });

  it('takes -h right after an option that needs a value for a forgotten value, not for help', () => {
    expect(parse('ex', '--name', '-h')).toEqual({
      kind: 'error',
      message: '--name needs a value (one that starts with "-" is written --name=-h)',
    });
  });

  it('reads --help after -- as an argument', () => {
    expect(parse('ex', '--', '--help')).toEqual({
      kind: 'ok',
      values: {},
      positionals: ['ex', '--help'],
    });
  });
});

describe('the texts printed', () => {
  it('gives the usage then the description for --help', () => {
    expect(helpText(GRADE)).toBe(`${GRADE.usage}\nGrades one file.`);
  });

  it('gives one line for the mistake, then the usage', () => {
    expect(usageErrorText('missing <email>', 'usage: x <email>', 'create: ')).toBe(
      'create: missing <email>\nusage: x <email>',
    );
  });
});
