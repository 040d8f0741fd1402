import type { MapDump, ScenarioObservation } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { reportedCalls } from '../calls.ts';
import { bucketOf, callsSubmitted, latencyHistogram } from './calls.ts';

const hex = (s: string) => Buffer.from(s).toString('hex');

function call(fn: string, arg: string, ret = 0, ns = 1000, inner?: number, tid = 7): string {
  const innerText = inner === undefined ? '' : ` inner=${inner}`;
  return `lab-call ${fn} tid=${tid} ret=${ret} ns=${ns}${innerText} arg=${hex(arg)}`;
}

function scenario(stdout: string[], submitted: string[] = [], maps: MapDump[] = []) {
  const obs: ScenarioObservation = {
    scenario: 's',
    planted: [],
    submissions: submitted.map((s, i) => ({
      ts: String(i),
      pid: 7,
      tid: 7,
      kind: 'bytes' as const,
      data: hex(s),
      truncated: false,
    })),
    debug: [],
    syscalls: [],
    maps,
    target: {
      code: 0,
      signal: null,
      timedOut: false,
      stdout: ['welcome', ...stdout].join('\n'),
      stderr: '',
    },
    limits: [],
  };
  return obs;
}

describe('the calls a target reports', () => {
  it('reads its lab-call lines and nothing else', () => {
    const obs = scenario([
      call('check_password', 'abc', 1, 500, 400, 9),
      'lab-call check_password tid=1 ret=x ns=1 arg=00',
      call('getenv', 'HOME'),
    ]);
    expect(reportedCalls(obs, 'check_password')).toEqual([
      {
        function: 'check_password',
        tid: 9,
        ret: 1n,
        ns: 500n,
        inner: 400n,
        arg: Buffer.from('abc'),
      },
    ]);
    expect(reportedCalls(obs, 'getenv').map((c) => c.arg.toString())).toEqual(['HOME']);
  });
});

describe('calls-submitted', () => {
  const calls = [call('f', 'one', 0), call('f', 'two', 1), call('f', 'three', 1)];
  const params = (ret: 'any' | 'nonzero' | 'zero' = 'any') => ({ function: 'f', ret });

  it('passes one record per call, in any order', () => {
    expect(callsSubmitted(params(), scenario(calls, ['three', 'one', 'two'])).pass).toBe(true);
    expect(callsSubmitted(params('nonzero'), scenario(calls, ['two', 'three'])).pass).toBe(true);
    expect(callsSubmitted(params('zero'), scenario(calls, ['one'])).pass).toBe(true);
  });

  it('fails a missing, an extra and a repeated record', () => {
    expect(callsSubmitted(params(), scenario(calls, ['one', 'two'])).pass).toBe(false);
    expect(callsSubmitted(params('nonzero'), scenario(calls, ['one', 'two', 'three'])).pass).toBe(
      false,
    );
    expect(callsSubmitted(params(), scenario(calls, ['one', 'two', 'three', 'two'])).pass).toBe(
      false,
    );
  });

  it('says what a wrong record is: with its NUL, cut, with more bytes, a left-out call', () => {
    const r = callsSubmitted(
      params('nonzero'),
      scenario(calls, ['two\0', 'thr', 'three and more', 'one']),
    );
    expect(r.pass).toBe(false);
    expect(r.message).toContain('Record 1 (4 bytes) is an argument with its terminating NUL byte');
    expect(r.message).toContain('Record 2 (3 bytes) is the first 3 bytes of a 5-byte argument');
    expect(r.message).toContain('Record 3 (14 bytes) is an argument followed by 9 more bytes');
    expect(r.message).toContain('Record 4 (3 bytes) is the argument of a call to f() that this');
    expect(r.message).toContain('3 times; 2 calls returned non-zero');
  });

  it('cannot be made when the target reported no call', () => {
    const r = callsSubmitted(params(), scenario([], ['one']));
    expect(r).toMatchObject({ pass: false });
    expect(r.message).toMatch(/reported no call to f\(\)/);
  });
});

describe('latency-histogram', () => {
  const array = (name: string, counts: Record<number, number>, valueSize = 8): MapDump => ({
    name,
    type: 'array',
    keySize: 4,
    valueSize,
    maxEntries: 32,
    entries: Array.from({ length: 32 }, (_, i) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(i);
      const value = Buffer.alloc(valueSize);
      if (valueSize === 8) value.writeBigUInt64LE(BigInt(counts[i] ?? 0));
      else value.writeUInt32LE(counts[i] ?? 0);
      return { keyHex: key.toString('hex'), valueHex: value.toString('hex') };
    }),
    truncated: false,
  });
  const params = { function: 'handle_request', map: 'latency' };
  // 181 µs (slot 7) twice, 1448 µs (slot 10) once
  const calls = [
    call('handle_request', '181', 0, 181_500, 181_000),
    call('handle_request', '181', 0, 181_400, 181_000),
    call('handle_request', '1448', 0, 1_448_900, 1_448_000),
  ];

  it('puts durations in log2 slots of microseconds', () => {
    expect([0, 999, 1999, 2000, 181_000, 1_448_000].map((n) => bucketOf(BigInt(n)))).toEqual([
      0, 0, 0, 1, 7, 10,
    ]);
  });

  it('passes the right histogram, found by what it holds, 4- or 8-byte counters', () => {
    const obs = scenario(calls, [], [array('other', { 3: 1 }), array('hist', { 7: 2, 10: 1 }, 4)]);
    const r = latencyHistogram(params, obs);
    expect(r.pass, r.message).toBe(true);
    expect(r.message).toContain('`hist` counts the 3 calls');
  });

  it('lets a call fall in any slot between its inner and outer timings, and no further', () => {
    // a call that took 250..260 µs inside and around: slot 7 (128..255) or 8 (256..511)
    const edge = [call('handle_request', 'x', 0, 260_000, 250_000)];
    expect(latencyHistogram(params, scenario(edge, [], [array('h', { 7: 1 })])).pass).toBe(true);
    expect(latencyHistogram(params, scenario(edge, [], [array('h', { 8: 1 })])).pass).toBe(true);
    expect(latencyHistogram(params, scenario(edge, [], [array('h', { 9: 1 })])).pass).toBe(false);
    expect(latencyHistogram(params, scenario(edge, [], [array('h', { 6: 1 })])).pass).toBe(false);
  });

  it('names nanosecond slots, an off-by-one, a missed call and an empty histogram', () => {
    const msg = (counts: Record<number, number>) =>
      latencyHistogram(params, scenario(calls, [], [array('latency', counts)])).message;
    expect(msg({ 17: 2, 20: 1 })).toMatch(/10 buckets too high: that is nanoseconds/);
    expect(msg({ 8: 2, 11: 1 })).toMatch(/one bucket off/);
    expect(msg({ 7: 2 })).toMatch(/2 counts for 3 calls/);
    expect(msg({})).toMatch(/counted nothing/);
  });

  it('says when no array of counters exists', () => {
    const r = latencyHistogram(params, scenario(calls));
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/No array map of 4- or 8-byte counters/);
  });
});
