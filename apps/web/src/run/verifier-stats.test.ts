import { describe, expect, it } from 'vitest';
import { verifierStats } from './verifier-stats.ts';

describe('verifier statistics', () => {
  it('reads one entry per program, with what each log level printed', () => {
    const log = [
      'verification time 12 usec',
      'stack depth 8',
      'processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
      '0: R1=ctx() R10=fp0',
      'processed 200 insns (limit 1000000) max_states_per_insn 2 total_states 14 peak_states 9 mark_read 3',
    ].join('\n');
    expect(verifierStats(log)).toEqual([
      {
        processedInsns: 10,
        insnLimit: 1_000_000,
        totalStates: 1,
        peakStates: 1,
        verificationUsec: 12,
        stackDepth: [8],
      },
      {
        processedInsns: 200,
        insnLimit: 1_000_000,
        totalStates: 14,
        peakStates: 9,
        verificationUsec: undefined,
        stackDepth: undefined,
      },
    ]);
  });

  it('finds nothing in a log without statistics, or no log', () => {
    expect(verifierStats("R0 invalid mem access 'map_value_or_null'")).toEqual([]);
    expect(verifierStats(undefined)).toEqual([]);
  });
});
