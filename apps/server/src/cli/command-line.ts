// How the lab's command-line tools (grade, lab, bench) read their arguments: Node's parseArgs in
// strict mode, so an unknown option or an option missing its value is refused instead of being
// ignored or read as a file name. Every tool takes --help (or -h). A usage error is one line
// saying what is wrong, then the usage, and exit status 2.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed options: a string option gives its text, a boolean one `true`, an absent one nothing. */
export type Values<O extends Options> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean;
};

export interface CommandLine<O extends Options> {
  /** One line: `usage: npm run grade -- <exercise-id> <file.c> [--json]`. */
  usage: string;
  /** What --help prints under the usage: what the tool does and what each option means. */
  description: readonly string[];
  options: O;
  /** The positional arguments, all required, as the usage names them (`<file.c>`). */
  positionals: readonly string[];
}

export type Parsed<T> =
  { kind: 'help' } | { kind: 'error'; message: string } | ({ kind: 'ok' } & T);

export type ParsedCommandLine<O extends Options> = Parsed<{
  values: Values<O>;
  positionals: string[];
}>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export function parseCommandLine<O extends Options>(
  args: readonly string[],
  spec: CommandLine<O>,
): ParsedCommandLine<O> {
  const options: Options = { ...spec.options, ...HELP };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (e) {
    // --help anywhere wins over a mistake elsewhere: it is how one finds out what to type
    if (asksForHelp(args, options)) return { kind: 'help' };
    return { kind: 'error', message: whatIsWrong(args, options) ?? (e as Error).message };
  }
  if (parsed.values.help) return { kind: 'help' };
  const missing = spec.positionals.slice(parsed.positionals.length);
  if (missing.length) return { kind: 'error', message: `missing ${missing.join(' ')}` };
  const extra = parsed.positionals.slice(spec.positionals.length);
  if (extra.length) return { kind: 'error', message: `unexpected argument "${extra[0]}"` };
  return {
    kind: 'ok',
    values: parsed.values as Values<O>,
    positionals: parsed.positionals,
  };
}

/** The text --help prints. */
export function helpText(spec: CommandLine<Options>): string {
  return [spec.usage, ...spec.description].join('\n');
}

/** The text a usage error prints: what is wrong, then the usage. */
export function usageErrorText(message: string, usage: string, prefix = ''): string {
  return `${prefix}${message}\n${usage}`;
}

/**
 * Parses, and for --help or a usage error prints what it must and gives the exit status (0 or 2)
 * instead of the arguments. `prefix` names a sub-command in the error (`create-instructor: `).
 */
export function readCommandLine<O extends Options>(
  args: readonly string[],
  spec: CommandLine<O>,
  prefix = '',
): { values: Values<O>; positionals: string[] } | { exitCode: number } {
  const parsed = parseCommandLine(args, spec);
  if (parsed.kind === 'help') {
    console.log(helpText(spec));
    return { exitCode: 0 };
  }
  if (parsed.kind === 'error') {
    console.error(usageErrorText(parsed.message, spec.usage, prefix));
    return { exitCode: 2 };
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** The tokens as a lenient parse sees them, for naming the first one strict parsing refused. */
function lenientTokens(args: readonly string[], options: Options) {
  return parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  }).tokens;
}

function asksForHelp(args: readonly string[], options: Options): boolean {
  return lenientTokens(args, options).some((t) => t.kind === 'option' && t.name === 'help');
}

function whatIsWrong(args: readonly string[], options: Options): string | null {
  for (const t of lenientTokens(args, options)) {
    if (t.kind !== 'option') continue;
    const option = options[t.name];
    if (!option) return `unknown option ${t.rawName}`;
    if (option.type === 'boolean' && t.inlineValue) return `${t.rawName} takes no value`;
    if (option.type !== 'string') continue;
    if (t.value === undefined) return `${t.rawName} needs a value`;
    // `--name --json`: parseArgs will not take an option for a value unless it is written inline
    if (!t.inlineValue && t.value.startsWith('-'))
      return `${t.rawName} needs a value (one that starts with "-" is written --${t.name}=${t.value})`;
  }
  return null;
}
