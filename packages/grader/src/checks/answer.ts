// answer-equals and answer-number: compare what was submitted with what was expected, and when
// they differ, say where each submitted record came from (which read() of which file), so the
// student sees the cause (a bait file captured, a chunk missed, a buffer read too early).
import type { CheckParams } from '@ebpf-lab/exercises';
import type { ScenarioObservation, SubmitRecord } from '@ebpf-lab/protocol';
import { resolveExpected } from '../expected.ts';
import {
  byteRecords,
  bytesOf,
  callAround,
  plural,
  preview,
  readsOf,
  timeline,
} from '../observed.ts';
import type { TimedSyscall } from '../observed.ts';
import type { Outcome, Symptom } from './types.ts';

const MAX_LISTED = 6;

function whereSubmitted(calls: TimedSyscall[], rec: SubmitRecord, len: number): string {
  const call = callAround(calls, rec);
  if (!call) return 'outside any recorded call';
  if (call.name === 'read') {
    const file = call.fdPath ?? `fd ${call.args[0]}`;
    const ret = call.ret === undefined ? undefined : Number(call.ret);
    let s = `at a read() of ${file}`;
    if (ret !== undefined && ret !== len) s += ` that returned ${ret}`;
    return s;
  }
  if ((call.name === 'write' || call.name === 'sendto') && call.fdPath)
    return `during ${call.name}() to ${call.fdPath}`;
  return `during ${call.name}()${call.path ? ` of ${call.path}` : ''}`;
}

function whatItIs(
  bytes: Buffer,
  expected: Buffer,
  expectedName: string,
  obs: ScenarioObservation,
): string {
  if (bytes.length === 0) return 'empty';
  if (expected.includes(bytes)) return `part of ${expectedName}`;
  for (const p of obs.planted) {
    if (bytesOf(p.hex).includes(bytes)) return `content of ${p.path}`;
  }
  if (bytes.every((b) => b === 0)) return 'all zero bytes';
  // Say which file it starts like: a buffer submitted with a fixed length shows up this way.
  const head = bytes.subarray(0, Math.min(bytes.length, 8));
  if (expected.subarray(0, head.length).equals(head))
    return `starts like ${expectedName}, then differs`;
  for (const p of obs.planted) {
    if (bytesOf(p.hex).subarray(0, head.length).equals(head))
      return `starts like ${p.path}, then differs`;
  }
  return preview(bytes);
}

function relation(answer: Buffer, expected: Buffer): string {
  if (answer.length > expected.length && answer.subarray(0, expected.length).equals(expected)) {
    return `The expected bytes are there, followed by ${plural(answer.length - expected.length, 'extra byte')}.`;
  }
  if (answer.length > expected.length && answer.includes(expected)) {
    return `The expected bytes are in there, with ${plural(answer.length - expected.length, 'other byte')} around them.`;
  }
  if (answer.length < expected.length && expected.subarray(0, answer.length).equals(answer)) {
    return `You submitted only the first ${answer.length} of them.`;
  }
  if (answer.length < expected.length && expected.includes(answer))
    return 'You submitted only part of them.';
  return '';
}

export function answerEquals(
  params: CheckParams<'answer-equals'>,
  obs: ScenarioObservation,
): Outcome {
  const exp = resolveExpected(params.expect, obs);
  if (!exp.ok) return { pass: false, message: `This check could not be made: ${exp.problem}.` };
  const recs = byteRecords(obs);
  const answer = Buffer.concat(recs.map((r) => bytesOf(r.data)));
  const truncated = recs.filter((r) => r.truncated).length;
  const { calls } = timeline(obs.syscalls);
  const file = 'file' in params.expect ? params.expect.file : undefined;
  const expectText = `Expected exactly ${plural(exp.bytes.length, 'byte')}: ${exp.describe}`;

  if (answer.equals(exp.bytes) && truncated === 0) {
    return {
      pass: true,
      message: `You submitted ${exp.describe} exactly (${plural(answer.length, 'byte')} in ${plural(recs.length, 'record')}), nothing else.`,
    };
  }
  const lines: string[] = [];
  if (recs.length === 0) {
    lines.push(`You submitted nothing. ${expectText}.`);
    const nums = obs.submissions.filter((s) => s.kind === 'num').length;
    if (nums)
      lines.push(
        `You submitted ${plural(nums, 'number')} with SUBMIT_NUM; this answer is bytes (SUBMIT or SUBMIT_USER).`,
      );
  } else {
    lines.push(
      `${expectText}; you submitted ${plural(answer.length, 'byte')} in ${plural(recs.length, 'record')}.`,
    );
    const rel = relation(answer, exp.bytes);
    if (rel) lines.push(rel);
    for (const [i, r] of recs.slice(0, MAX_LISTED).entries()) {
      const bytes = bytesOf(r.data);
      const cut = r.truncated
        ? ' (marked truncated: the length was out of range or the read failed)'
        : '';
      lines.push(
        `Record ${i + 1}: ${plural(bytes.length, 'byte')}, ${whatItIs(bytes, exp.bytes, file ?? 'the expected answer', obs)}, submitted ${whereSubmitted(calls, r, bytes.length)}${cut}.`,
      );
    }
    if (recs.length > MAX_LISTED) lines.push(`… and ${recs.length - MAX_LISTED} more records.`);
  }
  // Only say what the target read when its reads were recorded and every open was resolved.
  const unresolved = calls.filter(
    (c) => c.name === 'openat' && c.path === undefined && Number(c.ret ?? -1) >= 0,
  ).length;
  if (file && calls.some((c) => c.name === 'read') && unresolved === 0) {
    const reads = readsOf(calls, file);
    lines.push(
      reads.calls === 0
        ? `The target never read ${file} successfully in this scenario.`
        : `The target read ${file} in ${plural(reads.calls, 'read() call')} (${plural(reads.bytes, 'byte')} in all) on fd ${[...reads.fds].join(', ')}.`,
    );
  }
  return {
    pass: false,
    message: lines.join(' '),
    symptoms: file ? symptoms(calls, recs, file) : [],
  };
}

/** What went wrong with the records of a file's content, read against the target's reads. */
function symptoms(calls: TimedSyscall[], recs: SubmitRecord[], file: string): Symptom[] {
  const reads = calls.filter(
    (c) => c.name === 'read' && c.fdPath === file && Number(c.ret ?? -1) > 0,
  );
  const hit = new Set<number>();
  let otherFile = false;
  let wrongLength = false;
  for (const r of recs) {
    const c = callAround(calls, r);
    if (c?.name !== 'read' || c.fdPath !== file) {
      otherFile = true;
      continue;
    }
    hit.add(c.index);
    if (Number(c.ret ?? -1) !== bytesOf(r.data).length || r.truncated) wrongLength = true;
  }
  const out: Symptom[] = [];
  const caught = reads.filter((c) => hit.has(c.index)).length;
  if (reads.length > 0 && caught === 0) out.push('nothing');
  else if (caught < reads.length) out.push('missed');
  if (otherFile) out.push('other-file');
  if (wrongLength) out.push('wrong-length');
  return out;
}

export function answerNumber(
  params: CheckParams<'answer-number'>,
  obs: ScenarioObservation,
): Outcome {
  const exp = resolveExpected(params.expect, obs);
  if (!exp.ok) return { pass: false, message: `This check could not be made: ${exp.problem}.` };
  let expected: bigint;
  try {
    expected = BigInt(exp.bytes.toString('utf8'));
  } catch {
    return {
      pass: false,
      message: `This check could not be made: ${exp.describe} is not a number (exercise bug).`,
    };
  }
  const nums = obs.submissions.filter((s) => s.kind === 'num').map((s) => BigInt(s.data));
  if (nums.length === 0) {
    const bytes = byteRecords(obs).length;
    return {
      pass: false,
      message: `You submitted no number; expected one SUBMIT_NUM of ${exp.describe}.${bytes ? ` You sent ${plural(bytes, 'byte record')} with SUBMIT; this answer is a number.` : ''}`,
    };
  }
  if (nums.length > 1) {
    const shown = nums.slice(0, 8).join(', ');
    const right = nums.includes(expected)
      ? ' One of them is right: filter so that only that event submits.'
      : '';
    return {
      pass: false,
      message: `You submitted ${nums.length} numbers (${shown}${nums.length > 8 ? ', …' : ''}); expected exactly one: ${exp.describe}.${right}`,
    };
  }
  const got = nums[0];
  if (got === expected)
    return { pass: true, message: `You submitted ${got}, which is ${exp.describe}.` };
  const notes: string[] = [];
  const swapped = ((got & 0xffn) << 8n) | ((got >> 8n) & 0xffn);
  if (got >= 0n && got <= 0xffffn && swapped === expected) {
    notes.push(
      'Your number is the expected one with its two bytes swapped: it is still in network byte order.',
    );
  }
  if (got > 0xffffn && got <= 0xffffffffn && swap32(got) === expected) {
    notes.push(
      'Your number is the expected one with its four bytes reversed: it is still in network byte order (bpf_ntohl converts it).',
    );
  }
  const pids = new Set(obs.syscalls.map((s) => BigInt(s.pid)));
  if (pids.has(got))
    notes.push(`${got} is the id of one of the target's processes, but not the one asked for.`);
  if (got > 0xffffffffn && pids.has(got >> 32n))
    notes.push('It looks like a whole pid_tgid: the process id is its upper 32 bits.');
  return {
    pass: false,
    message: `You submitted ${got}; expected ${exp.describe}. ${notes.join(' ')}`.trim(),
  };
}

function swap32(n: bigint): bigint {
  let out = 0n;
  for (let i = 0n; i < 4n; i++) out |= ((n >> (8n * i)) & 0xffn) << (8n * (3n - i));
  return out;
}

/** Where a record was submitted, for a scenario where nothing should be. */
function submittedDuring(calls: TimedSyscall[], rec: SubmitRecord): string {
  const call = callAround(calls, rec);
  if (!call) return 'outside any recorded call';
  const ret = call.ret === undefined ? undefined : BigInt(call.ret);
  let s = `during ${call.name}()`;
  if (ret !== undefined && ret < 0n) s += ` that failed (${ret})`;
  else if (ret !== undefined) s += ` that returned ${ret}`;
  return s;
}

export function answerNothing(obs: ScenarioObservation): Outcome {
  const recs = obs.submissions;
  // Nothing submitted proves nothing unless the target really went through the scenario.
  const t = obs.target;
  if (recs.length === 0 && (!t || t.timedOut || t.code !== 0)) {
    return {
      pass: false,
      message:
        'This check could not be made: the target did not finish the scenario (it may have been stopped early).',
    };
  }
  if (recs.length === 0)
    return { pass: true, message: 'You submitted nothing in this scenario, as expected.' };
  const { calls } = timeline(obs.syscalls);
  const lines = [
    `Nothing should be submitted in this scenario; you submitted ${plural(recs.length, 'record')}.`,
  ];
  for (const [i, r] of recs.slice(0, MAX_LISTED).entries()) {
    const what =
      r.kind === 'num'
        ? `the number ${BigInt(r.data)}`
        : `${plural(bytesOf(r.data).length, 'byte')}, ${preview(bytesOf(r.data))}`;
    lines.push(`Record ${i + 1}: ${what}, submitted ${submittedDuring(calls, r)}.`);
  }
  if (recs.length > MAX_LISTED) lines.push(`… and ${recs.length - MAX_LISTED} more records.`);
  return { pass: false, message: lines.join(' ') };
}
