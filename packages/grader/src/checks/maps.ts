// Checks over the student's maps as the loader dumped them at the end of each scenario.
import type { CheckParams } from '@ebpf-lab/exercises';
import type { DecodedValue, MapEntry, ScenarioObservation } from '@ebpf-lab/protocol';
import { looksLikePairKey, readMaps, TargetIds } from '../map-roles.ts';
import type { KeyMeaning, ReadMap } from '../map-roles.ts';
import type { ObjectFacts } from '../object-facts.ts';
import { byteRecords, bytesOf, plural, timeline } from '../observed.ts';
import type { Outcome, Symptom } from './types.ts';

export function renderValue(v: DecodedValue | undefined, hex: string): string {
  if (!v) return `0x${hex}`;
  switch (v.kind) {
    case 'int':
    case 'ptr':
      return v.value;
    case 'enum':
      return v.name ?? v.value;
    case 'chars':
      return JSON.stringify(v.text);
    case 'array':
      return `[${v.items.map((i) => renderValue(i, '')).join(', ')}]`;
    case 'struct':
      return `{${v.fields.map((f) => `${f.name}=${renderValue(f.value, '')}`).join(', ')}}`;
    case 'raw':
      return `0x${v.hex}`;
  }
}

const renderKey = (e: MapEntry) => renderValue(e.key, e.keyHex);

const code = (name: string) => `\`${name}\``;

const KIND_WORDS: Record<HeldKind, string> = {
  thread: 'a thread',
  process: 'a process',
  'process-fd': 'an fd of a process',
};

type HeldKind = CheckParams<'map-empty'>['holding'][number];

function describeMeaning(m: KeyMeaning): string {
  switch (m.kind) {
    case 'thread':
      return m.pid === m.tid ? `thread ${m.tid}` : `thread ${m.tid} of process ${m.pid}`;
    case 'process':
      return `process ${m.pid}`;
    case 'process-fd':
      return `fd ${m.fd} of process ${m.pid}`;
    case 'unknown':
      return 'nothing of the target';
  }
}

export function mapEmpty(
  params: CheckParams<'map-empty'>,
  scope: ScenarioObservation[],
  object: ObjectFacts,
): Outcome {
  const held = new Set<string>(params.holding);
  const what = params.holding.map((k) => KIND_WORDS[k]).join(' or ');
  const problems: string[] = [];
  const unknown = new Set<string>();
  for (const obs of scope) {
    for (const m of readMaps(obs, new TargetIds([obs]), object)) {
      const left = m.entries.filter((e) => held.has(e.meaning.kind));
      if (m.entries.some((e) => e.meaning.kind === 'unknown')) unknown.add(m.map.name);
      if (left.length === 0) continue;
      const keys = left
        .slice(0, 3)
        .map((e) => `${renderKey(e.entry)}, ${describeMeaning(e.meaning)}`)
        .join('; ');
      const more = left.length > 3 || m.map.truncated ? '; …' : '';
      problems.push(
        `after scenario "${obs.scenario}", ${code(m.map.name)} still held ${plural(left.length, 'entry', 'entries')}${m.map.truncated ? ' or more' : ''} keyed by ${what} (keys: ${keys}${more})`,
      );
    }
    if (problems.length) break;
  }
  const named = params.maps.length
    ? ` (in the starter: ${params.maps.map(code).join(' and ')})`
    : '';
  const scenarios = scope.length > 1 ? `all ${scope.length} scenarios` : 'the scenario';
  if (problems.length === 0) {
    const note = unknown.size
      ? ` Some keys of ${[...unknown].map(code).join(', ')} named no thread, process or fd of the target, so they were not counted.`
      : '';
    return {
      pass: true,
      message: `No map held a key naming ${what} of the target at the end of ${scenarios}, as expected.${note}`,
    };
  }
  return {
    pass: false,
    message: `Expected the maps keyed by ${what}${named} to be empty once the target finished; ${problems.join('; ')}.`,
    // A thread's leftover marker makes its next, unrelated syscall look interesting.
    ...(params.holding.includes('thread') ? { explains: ['other-file' as const] } : {}),
  };
}

/** The submitted bytes are exactly the planted content of `path`: the output is right. */
function capturedRight(obs: ScenarioObservation, path: string): boolean {
  const planted = obs.planted.find((p) => p.path === path);
  const records = byteRecords(obs);
  if (!planted || records.some((r) => r.truncated)) return false;
  return Buffer.concat(records.map((r) => bytesOf(r.data))).equals(bytesOf(planted.hex));
}

interface FoundMap {
  read: ReadMap;
  how: string;
}

/**
 * The map that tracks fds: the one holding (process, fd) keys in this scenario; else one that held
 * such keys in another scenario; else the only map whose key type has two integer fields and never
 * held a thread's or a process's key. The starter's name only breaks ties.
 */
function findFdMap(
  obs: ScenarioObservation,
  run: ScenarioObservation[],
  object: ObjectFacts,
  expected: { pid: number; fd: number }[],
  hint: string | undefined,
): FoundMap | undefined {
  const here = readMaps(obs, new TargetIds([obs]), object);
  const byName = (name: string) => here.find((m) => m.map.name === name);
  const holdsPairs = (m: ReadMap) => m.entries.some((e) => e.meaning.kind === 'process-fd');
  const matched = (m: ReadMap) =>
    expected.filter((x) => m.entries.some((e) => sameFd(e.meaning, x))).length;
  const pick = (list: ReadMap[]) =>
    [...list].sort(
      (a, b) =>
        matched(b) - matched(a) || Number(b.map.name === hint) - Number(a.map.name === hint),
    )[0];

  const pairs = here.filter(holdsPairs);
  if (pairs.length)
    return {
      read: pick(pairs),
      how: 'the map whose keys name (process, fd) pairs',
    };
  const elsewhere = new Set<string>();
  const personal = new Set<string>();
  for (const other of run) {
    for (const m of readMaps(other, new TargetIds([other]), object)) {
      if (holdsPairs(m)) elsewhere.add(m.map.name);
      if (m.entries.some((e) => e.meaning.kind === 'thread' || e.meaning.kind === 'process'))
        personal.add(m.map.name);
    }
  }
  const seen = here.filter((m) => elsewhere.has(m.map.name));
  if (seen.length)
    return {
      read: pick(seen),
      how: 'the map that held (process, fd) keys in other scenarios',
    };
  const shaped = here.filter((m) => looksLikePairKey(m) && !personal.has(m.map.name));
  const hinted = shaped.find((m) => m.map.name === hint);
  if (hinted || shaped.length === 1)
    return {
      read: hinted ?? shaped[0],
      how: `the map whose key type${(hinted ?? shaped[0]).map.keyType ? ` (${(hinted ?? shaped[0]).map.keyType})` : ''} has two integer fields`,
    };
  return undefined;
}

/** The process id alone is right; a whole pid_tgid of the opening thread is tolerated here and
 * diagnosed by the second-thread scenario instead. */
const sameFd = (m: KeyMeaning, x: { pid: number; fd: number }) =>
  m.kind === 'process-fd' && m.pid === x.pid && m.fd === x.fd;

export function mapTracksFds(
  params: CheckParams<'map-tracks-fds'>,
  obs: ScenarioObservation,
  run: ScenarioObservation[],
  object: ObjectFacts,
): Outcome {
  const { openAtEnd } = timeline(obs.syscalls);
  const expected: { pid: number; fd: number }[] = [];
  for (const [k, path] of openAtEnd) {
    if (path !== params.path) continue;
    const [pid, fd] = k.split(':').map(Number);
    expected.push({ pid, fd });
  }
  const openText = `At the end of the scenario the target still had ${params.path} open as ${expected.map((x) => `fd ${x.fd} of process ${x.pid}`).join(', ') || 'no fd'}.`;
  const found = findFdMap(obs, run, object, expected, params.map);
  if (!found) {
    const right = capturedRight(obs, params.path);
    return {
      pass: right,
      message: `${openText} None of your maps could be told apart as the one tracking fds: no key named an fd of the target's processes${params.map ? ` and there is no ${code(params.map)}` : ''}. ${right ? `You captured exactly ${params.path} in this scenario, so this is not held against you.` : `What you captured in this scenario is not exactly ${params.path} either.`}`,
    };
  }
  const m = found.read;
  const name = code(m.map.name);
  const missing = expected.filter((x) => !m.entries.some((e) => sameFd(e.meaning, x)));
  const extra = m.entries.filter((e) => !expected.some((x) => sameFd(e.meaning, x)));
  if (!missing.length && !extra.length) {
    return {
      pass: true,
      message: `${name} (${found.how}) held exactly the ${plural(expected.length, 'fd')} under which the target still had ${params.path} open.`,
    };
  }
  const lines = [openText, `Your map tracking fds is ${name}: ${found.how}.`];
  const symptoms: Symptom[] = [];
  if (missing.length) symptoms.push('missed');
  if (missing.length)
    lines.push(
      `${name} did not hold ${missing.map((x) => `fd ${x.fd}`).join(', ')}: your openat programs did not record it.`,
    );
  for (const e of extra.slice(0, 4)) {
    const fd = e.meaning.kind === 'process-fd' ? e.meaning.fd : undefined;
    const path =
      fd === undefined
        ? undefined
        : openAtEnd.get(`${e.meaning.kind === 'process-fd' ? e.meaning.pid : ''}:${fd}`);
    if (path) symptoms.push('other-file');
    lines.push(
      `It held ${renderKey(e.entry)} (${describeMeaning(e.meaning)})${path ? `, but that fd is ${path}` : fd === undefined ? '' : ', which the target did not have open to that file'}.`,
    );
  }
  return { pass: false, message: lines.join(' '), symptoms: [...new Set(symptoms)] };
}
