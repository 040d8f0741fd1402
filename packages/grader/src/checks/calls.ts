// calls-submitted and latency-histogram: what the student's uprobes made of a function's calls,
// against the calls the target reported about itself (calls.ts).
import type { CheckParams } from '@ebpf-lab/exercises';
import type { MapDump, ScenarioObservation } from '@ebpf-lab/protocol';
import { reportedCalls } from '../calls.ts';
import type { ReportedCall } from '../calls.ts';
import { byteRecords, bytesOf, plural, preview } from '../observed.ts';
import type { Outcome } from './types.ts';

const MAX_LISTED = 6;

function noCalls(fn: string): Outcome {
  return {
    pass: false,
    message: `This check could not be made: the target reported no call to ${fn}() (it may have been stopped early).`,
  };
}

/** What a submitted record that matches no expected argument is, in the student's terms. */
function whatRecordIs(bytes: Buffer, expected: Buffer[], others: Buffer[], fn: string): string {
  if (bytes.length === 0) return 'empty';
  if (others.some((o) => o.equals(bytes)))
    return `the argument of a call to ${fn}() that this check leaves out`;
  for (const e of expected) {
    if (
      bytes.length === e.length + 1 &&
      bytes.subarray(0, e.length).equals(e) &&
      bytes.at(-1) === 0
    )
      return 'an argument with its terminating NUL byte';
    if (bytes.length > e.length && bytes.subarray(0, e.length).equals(e))
      return `an argument followed by ${plural(bytes.length - e.length, 'more byte')}`;
    if (bytes.length < e.length && e.subarray(0, bytes.length).equals(bytes))
      return `the first ${plural(bytes.length, 'byte')} of a ${e.length}-byte argument`;
  }
  return preview(bytes);
}

const RET_WORDS: Record<CheckParams<'calls-submitted'>['ret'], string> = {
  any: '',
  nonzero: ' that returned non-zero',
  zero: ' that returned 0',
};

export function callsSubmitted(
  params: CheckParams<'calls-submitted'>,
  obs: ScenarioObservation,
): Outcome {
  const fn = params.function;
  const all = reportedCalls(obs, fn);
  if (all.length === 0) return noCalls(fn);
  const keep = (c: ReportedCall) =>
    params.ret === 'any' || (params.ret === 'nonzero' ? c.ret !== 0n : c.ret === 0n);
  const expected = all.filter(keep).map((c) => c.arg);
  const others = all.filter((c) => !keep(c)).map((c) => c.arg);
  const recs = byteRecords(obs);
  const which = `the argument of each call to ${fn}()${RET_WORDS[params.ret]}`;
  const callsText =
    params.ret === 'any'
      ? `The target called ${fn}() ${plural(all.length, 'time')}`
      : `The target called ${fn}() ${plural(all.length, 'time')}; ${plural(expected.length, 'call')} returned ${params.ret === 'zero' ? '0' : 'non-zero'}`;

  // Multiset match: the order of records across threads is the order the probes ran in.
  const left = new Map<string, number>();
  for (const e of expected) left.set(e.toString('hex'), (left.get(e.toString('hex')) ?? 0) + 1);
  const unmatched: { i: number; bytes: Buffer; truncated: boolean }[] = [];
  for (const [i, r] of recs.entries()) {
    const key = bytesOf(r.data).toString('hex');
    const n = left.get(key) ?? 0;
    if (n > 0 && !r.truncated) left.set(key, n - 1);
    else unmatched.push({ i, bytes: bytesOf(r.data), truncated: !!r.truncated });
  }
  const missing = [...left.entries()].flatMap(([hex, n]) =>
    Array.from({ length: n }, () => Buffer.from(hex, 'hex')),
  );
  if (unmatched.length === 0 && missing.length === 0) {
    return {
      pass: true,
      message: `You submitted ${which}, one record per call (${plural(recs.length, 'record')}), nothing else.`,
    };
  }
  const lines: string[] = [];
  if (recs.length === 0) {
    lines.push(`You submitted nothing. ${callsText}: expected ${which}, one record each.`);
    const nums = obs.submissions.filter((s) => s.kind === 'num').length;
    if (nums) lines.push(`You sent ${plural(nums, 'number')} with SUBMIT_NUM; send bytes.`);
    return { pass: false, message: lines.join(' ') };
  }
  lines.push(
    `${callsText}; expected ${which}, one record each. You submitted ${plural(recs.length, 'record')}, ${recs.length - unmatched.length} of them right.`,
  );
  for (const u of unmatched.slice(0, MAX_LISTED)) {
    const cut = u.truncated
      ? ' (marked truncated: the length was out of range or the read failed)'
      : '';
    lines.push(
      `Record ${u.i + 1} (${plural(u.bytes.length, 'byte')}) is ${whatRecordIs(u.bytes, expected, others, fn)}${cut}.`,
    );
  }
  if (unmatched.length > MAX_LISTED) lines.push(`… and ${unmatched.length - MAX_LISTED} more.`);
  if (missing.length > 0) {
    lines.push(
      `${plural(missing.length, 'call')} got no record of its own (arguments of ${missing
        .slice(0, MAX_LISTED)
        .map((m) => `${m.length}`)
        .join(', ')} bytes).`,
    );
  }
  return { pass: false, message: lines.join(' ') };
}

// ---------------------------------------------------------------------------------------------
// latency-histogram

/** log2 bucket of a duration: slot i holds [2^i, 2^(i+1)) µs, slot 0 also under 1 µs. */
export function bucketOf(ns: bigint): number {
  let us = ns / 1000n;
  let b = 0;
  while (us > 1n) {
    us >>= 1n;
    b++;
  }
  return b;
}

/**
 * The buckets a program's measure of the call may fall in. Its entry and return probes run
 * between the target's clock reads around the call (`ns`) and inside the function (`inner`), on
 * the same monotonic clock, so its duration lies between the two. Without `inner`, allow for the
 * probes' own time: microseconds, more when the thread was preempted right then.
 */
function possibleBuckets(call: ReportedCall): { lo: number; hi: number } {
  if (call.inner !== undefined) return { lo: bucketOf(call.inner), hi: bucketOf(call.ns) };
  const slack = 50_000n + call.ns / 10n;
  return { lo: bucketOf(call.ns > slack ? call.ns - slack : 0n), hi: bucketOf(call.ns) };
}

/** Whether the calls can be put into the slots, each into one of its possible buckets. */
function fits(counts: bigint[], calls: { lo: number; hi: number }[]): boolean {
  const total = counts.reduce((a, b) => a + b, 0n);
  if (total !== BigInt(calls.length)) return false;
  const pending = [...calls].sort((a, b) => a.lo - b.lo);
  const open: { lo: number; hi: number }[] = [];
  let next = 0;
  for (let slot = 0; slot < counts.length; slot++) {
    while (next < pending.length && pending[next].lo <= slot) open.push(pending[next++]);
    open.sort((a, b) => a.hi - b.hi);
    for (let k = 0n; k < counts[slot]; k++) {
      const c = open.shift();
      if (!c || c.hi < slot) return false;
    }
    if (open.some((c) => c.hi <= slot)) return false;
  }
  return open.length === 0 && next === pending.length;
}

interface Histogram {
  name: string;
  counts: bigint[];
}

function readLE(buf: Buffer, off: number, size: number): bigint {
  return size === 8 ? buf.readBigUInt64LE(off) : BigInt(buf.readUInt32LE(off));
}

/** Arrays of 4- or 8-byte counters indexed by a 4-byte key; per-CPU values are summed. */
function histograms(maps: MapDump[]): Histogram[] {
  const out: Histogram[] = [];
  for (const m of maps) {
    if (m.type !== 'array' && m.type !== 'percpu_array') continue;
    if (m.keySize !== 4 || (m.valueSize !== 4 && m.valueSize !== 8) || m.maxEntries < 2) continue;
    const counts: bigint[] = Array.from({ length: Math.min(m.maxEntries, 64) }, () => 0n);
    for (const e of m.entries) {
      const index = Buffer.from(e.keyHex, 'hex').readUInt32LE(0);
      if (index >= counts.length) continue;
      const value = bytesOf(e.valueHex);
      const stride = m.type === 'percpu_array' ? (m.valueSize + 7) & ~7 : m.valueSize;
      for (let off = 0; off + m.valueSize <= value.length; off += stride)
        counts[index] += readLE(value, off, m.valueSize);
    }
    out.push({ name: m.name, counts });
  }
  return out;
}

const render = (counts: bigint[]): string =>
  counts.flatMap((c, i) => (c > 0n ? [`${i}: ${c}`] : [])).join(', ') || 'all zero';

/** Whether the counts are the expected ones, each moved `by` slots. */
function shifted(h: bigint[], want: number[], by: number): boolean {
  const n = Math.max(h.length, want.length + by);
  for (let i = 0; i < n; i++) {
    const w = i - by >= 0 ? (want[i - by] ?? 0) : 0;
    if (BigInt(w) !== (h[i] ?? 0n)) return false;
  }
  return true;
}

export function latencyHistogram(
  params: CheckParams<'latency-histogram'>,
  obs: ScenarioObservation,
): Outcome {
  const fn = params.function;
  const calls = reportedCalls(obs, fn);
  if (calls.length === 0) return noCalls(fn);
  const ranges = calls.map(possibleBuckets);
  const want: number[] = [];
  for (const c of calls) {
    const b = bucketOf(c.ns);
    want[b] = (want[b] ?? 0) + 1;
  }
  const wantText = want.flatMap((c, i) => (c ? [`${i}: ${c}`] : [])).join(', ');
  const found = histograms(obs.maps);
  const right = found.find((h) => fits(h.counts, ranges));
  if (right) {
    return {
      pass: true,
      message: `\`${right.name}\` counts the ${plural(calls.length, 'call')} to ${fn}() in the buckets of the target's own timings (${render(right.counts)}).`,
    };
  }
  const expectText = `The target timed its ${plural(calls.length, 'call')} to ${fn}() into buckets ${wantText} (bucket: count).`;
  if (found.length === 0) {
    return {
      pass: false,
      message: `No array map of 4- or 8-byte counters was found after the scenario. ${expectText}`,
    };
  }
  const byName = params.map ? found.find((h) => h.name === params.map) : undefined;
  const h = byName ?? found.find((x) => x.counts.some((c) => c > 0n)) ?? found[0];
  const total = h.counts.reduce((a, b) => a + b, 0n);
  const notes: string[] = [];
  if (total === 0n) notes.push('It counted nothing: is the counter incremented at the return?');
  else if (shifted(h.counts, want, 10))
    notes.push(
      'Every count sits 10 buckets too high: that is nanoseconds; divide the duration by 1000 to bucket microseconds.',
    );
  else if (shifted(h.counts, want, 1) || shifted(h.counts, want, -1))
    notes.push(
      'Every count sits one bucket off: slot i is for durations from 2^i up to 2^(i+1) µs (floor of log2).',
    );
  else if (total !== BigInt(calls.length))
    notes.push(
      `It holds ${total} counts for ${plural(calls.length, 'call')}: every call should count once, at its return.`,
    );
  else
    notes.push(
      'The total is right but some calls landed in the wrong bucket: is each return paired with the entry of the same call (the same thread)?',
    );
  return {
    pass: false,
    message: `\`${h.name}\` holds ${render(h.counts)}. ${expectText} ${notes.join(' ')}`,
  };
}
