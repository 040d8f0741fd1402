// What `npm run bench` is asked to do: --quick, --json and the run counts from the environment. A pure
// function of the arguments and the environment, so it is tested without running the bench.
import {
  helpText,
  parseCommandLine,
  usageErrorText,
} from '../../apps/server/src/cli/command-line.ts';
import type { Parsed } from '../../apps/server/src/cli/command-line.ts';

export interface BenchOptions {
  quick: boolean;
  /** The report alone on stdout, as JSON. */
  json: boolean;
  /** Runs in the clean-up soak. */
  soakRuns: number;
  /** Timed whole runs. */
  timingRuns: number;
  /** Runs only the sections whose name holds this text (`web`, `concurrent50`); all when unset. */
  only?: string;
}

const COMMAND_LINE = {
  usage:
    'usage: [BENCH_RUNS=<n>] [BENCH_TIMING_RUNS=<n>] npm run bench [-- --quick] [--json] [--only <text>]',
  description: [
    'Compares each optimisation with its baseline, times whole runs, loads the real server with',
    '1, 10 and 50 WebSocket clients, times the first load in Chromium, soaks the clean-up and',
    'counts what it left on the machine.',
    '  --quick               fewer runs: 20 timed, 50 in the soak (instead of 50 and 1000)',
    '  --json                write the report as JSON, alone on stdout',
    '  --only <text>         only the sections whose name holds <text>, e.g. web or concurrent50;',
    '                        the leftovers are counted all the same',
    '  -h, --help            print this',
    '  BENCH_RUNS=<n>        runs in the clean-up soak',
    '  BENCH_TIMING_RUNS=<n> timed whole runs',
  ],
  options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' } },
  positionals: [],
} as const;

/** A count from the environment: unset or empty gives the default, anything but a whole number > 0 is refused. */
function count(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number | string {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(n) && n > 0
    ? n
    : `${name} must be a whole number above 0, not "${env[name]}"`;
}

export function parseBenchOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed<{ options: BenchOptions }> {
  const parsed = parseCommandLine(args, COMMAND_LINE);
  if (parsed.kind !== 'ok') return parsed;
  const quick = parsed.values.quick ?? false;
  const json = parsed.values.json ?? false;
  const only = parsed.values.only?.trim();
  if (only === '') return { kind: 'error', message: '--only needs the text of a section name' };
  const soakRuns = count(env, 'BENCH_RUNS', quick ? 50 : 1000);
  const timingRuns = count(env, 'BENCH_TIMING_RUNS', quick ? 20 : 50);
  if (typeof soakRuns === 'string') return { kind: 'error', message: soakRuns };
  if (typeof timingRuns === 'string') return { kind: 'error', message: timingRuns };
  return {
    kind: 'ok',
    options: { quick, json, soakRuns, timingRuns, ...(only === undefined ? {} : { only }) },
  };
}

/** The options of this process; --help and usage errors print and exit here (0 and 2). */
export function benchOptions(): BenchOptions {
  const parsed = parseBenchOptions(process.argv.slice(2), process.env);
  if (parsed.kind === 'ok') return parsed.options;
  if (parsed.kind === 'help') {
    console.log(helpText(COMMAND_LINE));
    process.exit(0);
  }
  console.error(usageErrorText(parsed.message, COMMAND_LINE.usage));
  process.exit(2);
}
