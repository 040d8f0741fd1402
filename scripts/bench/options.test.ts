import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from './options.ts';

describe('parseBenchOptions', () => {
  it('runs the full bench by default', () => {
    expect(parseBenchOptions([], {})).toEqual({
      kind: 'ok',
      options: { quick: false, json: false, soakRuns: 1000, timingRuns: 50 },
    });
  });

  it('runs fewer with --quick', () => {
    expect(parseBenchOptions(['--quick'], {})).toEqual({
      kind: 'ok',
      options: { quick: true, json: false, soakRuns: 50, timingRuns: 20 },
    });
  });

  it('takes the run counts from BENCH_RUNS and BENCH_TIMING_RUNS, over --quick', () => {
    expect(parseBenchOptions(['--quick'], { BENCH_RUNS: '200', BENCH_TIMING_RUNS: ' 7 ' })).toEqual(
      { kind: 'ok', options: { quick: true, json: false, soakRuns: 200, timingRuns: 7 } },
    );
  });

  it('takes an empty count for the default', () => {
    expect(parseBenchOptions([], { BENCH_RUNS: '' })).toMatchObject({
      options: { soakRuns: 1000 },
    });
  });

  it('refuses a count that is not a whole number above 0, naming the variable', () => {
    for (const bad of ['abc', '0', '-5', '2.5', '1e3', '10 runs']) {
      expect(parseBenchOptions([], { BENCH_RUNS: bad })).toEqual({
        kind: 'error',
        message: `BENCH_RUNS must be a whole number above 0, not "${bad}"`,
      });
    }
    expect(parseBenchOptions(['--quick'], { BENCH_TIMING_RUNS: 'lots' })).toEqual({
      kind: 'error',
      message: 'BENCH_TIMING_RUNS must be a whole number above 0, not "lots"',
    });
  });

  it('refuses an unknown option instead of running the full bench', () => {
    expect(parseBenchOptions(['--quik'], {})).toEqual({
      kind: 'error',
      message: 'unknown option --quik',
    });
    expect(parseBenchOptions(['--jsn'], {})).toEqual({
      kind: 'error',
      message: 'unknown option --jsn',
    });
  });

  it('reads --quick as the last argument, but after -- as an argument it does not take', () => {
    expect(parseBenchOptions(['--quick'], {})).toMatchObject({ options: { quick: true } });
    expect(parseBenchOptions(['--quick', '--json'], {})).toMatchObject({
      options: { quick: true, json: true },
    });
    expect(parseBenchOptions(['--', '--quick'], {})).toEqual({
      kind: 'error',
      message: 'unexpected argument "--quick"',
    });
  });

  it('refuses an argument it does not take, and a value given to --quick', () => {
    expect(parseBenchOptions(['quick'], {})).toEqual({
      kind: 'error',
      message: 'unexpected argument "quick"',
    });
    expect(parseBenchOptions(['--quick=yes'], {})).toEqual({
      kind: 'error',
      message: '--quick takes no value',
    });
  });

  it('runs only the sections named by --only, and refuses --only without a name', () => {
    expect(parseBenchOptions(['--quick', '--only', 'web'], {})).toEqual({
      kind: 'ok',
      options: { quick: true, json: false, soakRuns: 50, timingRuns: 20, only: 'web' },
    });
    expect(parseBenchOptions(['--only=concurrent50'], {})).toMatchObject({
      options: { only: 'concurrent50' },
    });
    expect(parseBenchOptions(['--only', ' '], {})).toEqual({
      kind: 'error',
      message: '--only needs the text of a section name',
    });
    expect(parseBenchOptions(['--only'], {})).toMatchObject({ kind: 'error' });
  });

  it('answers --help and -h before checking anything else', () => {
    expect(parseBenchOptions(['--help'], { BENCH_RUNS: 'abc' })).toEqual({ kind: 'help' });
    expect(parseBenchOptions(['--quick', '-h'], {})).toEqual({ kind: 'help' });
  });
});
