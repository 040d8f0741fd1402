// Finding the student's maps by what they hold, not by what they are called. A key is read as
// integers (by offset and size from the object's BTF when the runner passed the layout, else from
// the decoded dump, else the whole key as one number) and compared with the target's real
// threads, processes and fds: a key equal to a thread's pid_tgid or a {pid, tid} pair names a
// thread; two fields holding a process id and a small number, or a u64 packing both, name an fd
// of a process. Field names and order do not matter, and explicit pad fields are ignored.
import type { MapDump, MapEntry, ScenarioObservation } from '@ebpf-lab/protocol';
import type { KeyLayout, ObjectFacts } from './object-facts.ts';
import { bytesOf } from './observed.ts';

/** What one key names, as far as the target's ground truth can tell. */
export type KeyMeaning =
  /** A thread: its whole pid_tgid, a {process, thread} pair, or the id of a thread that is not the main one. */
  | { kind: 'thread'; pid: number; tid: number }
  /** A process id alone (also the id of its main thread: a per-thread key cannot be told apart). */
  | { kind: 'process'; pid: number }
  /** An fd of a process; `wholeId` when the process half is a thread's whole pid_tgid. */
  | { kind: 'process-fd'; pid: number; fd: number; wholeId: boolean }
  | { kind: 'unknown' };

/** Above any fd a target of ours can hold (its limit is 1024); process ids can be this small. */
const MAX_FD = 1 << 20;
const HASH_TYPES = new Set(['hash', 'lru_hash', 'percpu_hash', 'lru_percpu_hash']);

/** The target's threads and processes as its syscalls showed them. */
export class TargetIds {
  readonly pids = new Set<bigint>();
  /** tid → pid */
  readonly threads = new Map<bigint, bigint>();

  constructor(scope: ScenarioObservation[]) {
    for (const obs of scope) {
      for (const s of [...obs.syscalls, ...obs.submissions, ...obs.debug]) {
        this.pids.add(BigInt(s.pid));
        this.threads.set(BigInt(s.tid), BigInt(s.pid));
      }
    }
  }

  /** The process a value names: a process id, or a thread's whole pid_tgid. */
  processOf(v: bigint): { pid: bigint; wholeId: boolean } | undefined {
    if (this.pids.has(v)) return { pid: v, wholeId: false };
    const tid = v & 0xffffffffn;
    if (v >> 32n !== 0n && this.threads.get(tid) === v >> 32n)
      return { pid: v >> 32n, wholeId: true };
    return undefined;
  }

  isThreadOf(tid: bigint, pid: bigint): boolean {
    return this.threads.get(tid) === pid;
  }
}

interface KeyField {
  name?: string;
  offset: number;
  value: bigint;
}

function readUint(buf: Buffer, offset: number, size: number): bigint | undefined {
  if (offset + size > buf.length) return undefined;
  switch (size) {
    case 1:
      return BigInt(buf.readUInt8(offset));
    case 2:
      return BigInt(buf.readUInt16LE(offset));
    case 4:
      return BigInt(buf.readUInt32LE(offset));
    case 8:
      return buf.readBigUInt64LE(offset);
    default:
      return undefined;
  }
}

/** The integer fields of a key, in offset order. */
export function keyFields(entry: MapEntry, layout: KeyLayout | undefined): KeyField[] {
  const key = bytesOf(entry.keyHex);
  if (layout?.members?.length) {
    return layout.members.flatMap((m) => {
      const value = readUint(key, m.offset, m.size);
      return value === undefined ? [] : [{ name: m.name, offset: m.offset, value }];
    });
  }
  if (entry.key?.kind === 'struct') {
    return entry.key.fields.flatMap((f) =>
      f.value.kind === 'int' || f.value.kind === 'enum'
        ? [
            {
              name: f.name,
              offset: f.offset,
              value: BigInt.asUintN(64, BigInt(f.value.value)),
            },
          ]
        : [],
    );
  }
  const whole = readUint(key, 0, key.length);
  return whole === undefined ? [] : [{ offset: 0, value: whole }];
}

/** A value that can be an fd: small, and not the id of one of the target's threads. */
const fdLike = (v: bigint, ids: TargetIds) => v < BigInt(MAX_FD) && !ids.threads.has(v);

/** Reads one key against the target's ids. */
export function keyMeaning(fields: KeyField[], ids: TargetIds): KeyMeaning {
  if (fields.length === 1) {
    const v = fields[0].value;
    const lo = v & 0xffffffffn;
    const hi = v >> 32n;
    if (hi !== 0n && ids.isThreadOf(lo, hi))
      return { kind: 'thread', pid: Number(hi), tid: Number(lo) };
    if (ids.pids.has(v)) return { kind: 'process', pid: Number(v) };
    const pid = ids.threads.get(v);
    if (pid !== undefined) return { kind: 'thread', pid: Number(pid), tid: Number(v) };
    // A u64 packing a process id and an fd, either way round.
    if (ids.pids.has(hi) && fdLike(lo, ids))
      return {
        kind: 'process-fd',
        pid: Number(hi),
        fd: Number(lo),
        wholeId: false,
      };
    if (ids.pids.has(lo) && fdLike(hi, ids) && hi !== 0n)
      return {
        kind: 'process-fd',
        pid: Number(lo),
        fd: Number(hi),
        wholeId: false,
      };
    return { kind: 'unknown' };
  }
  // Several fields: one names the process; another is the thread or the fd. Fields holding zero
  // beside a non-zero candidate are taken for padding; a field named like an fd wins a tie.
  for (const [i, f] of fields.entries()) {
    const proc = ids.processOf(f.value);
    if (!proc) continue;
    const others = fields.filter((_, j) => j !== i);
    const thread = others.find((o) => o.value !== proc.pid && ids.isThreadOf(o.value, proc.pid));
    if (thread && !proc.wholeId)
      return {
        kind: 'thread',
        pid: Number(proc.pid),
        tid: Number(thread.value),
      };
    // {pid, pid} or {pid, 0}: the main thread, or the process, with a spare field beside it.
    const spare = (o: KeyField) =>
      o.value === proc.pid || (o.value === 0n && !/fd/i.test(o.name ?? ''));
    if (!proc.wholeId && others.every(spare)) return { kind: 'process', pid: Number(proc.pid) };
    const fds = others.filter((o) => fdLike(o.value, ids));
    if (fds.length === 0) continue;
    const named = fds.find((o) => /fd/i.test(o.name ?? ''));
    const nonZero = fds.find((o) => o.value !== 0n);
    const fd = (named ?? nonZero ?? fds[0]).value;
    return {
      kind: 'process-fd',
      pid: Number(proc.pid),
      fd: Number(fd),
      wholeId: proc.wholeId,
    };
  }
  return { kind: 'unknown' };
}

export interface ReadEntry {
  entry: MapEntry;
  meaning: KeyMeaning;
}

export interface ReadMap {
  map: MapDump;
  entries: ReadEntry[];
  /** The layout the runner read from the object's BTF, when it had one. */
  layout?: KeyLayout;
}

/** Every hash map of one scenario, with each key read against the whole run's ids. */
export function readMaps(obs: ScenarioObservation, ids: TargetIds, object: ObjectFacts): ReadMap[] {
  const layouts = new Map((object.mapKeys ?? []).map((l) => [l.map, l]));
  return obs.maps
    .filter((m) => HASH_TYPES.has(m.type))
    .map((map) => {
      const layout = layouts.get(map.name);
      return {
        map,
        layout,
        entries: map.entries.map((entry) => ({
          entry,
          meaning: keyMeaning(keyFields(entry, layout), ids),
        })),
      };
    });
}

/** A key made of two or more integer fields: the shape of a (process, fd) key. */
export function looksLikePairKey(m: ReadMap): boolean {
  if (m.layout?.members) return m.layout.members.filter((x) => x.size <= 8).length >= 2;
  return m.map.keyType?.startsWith('struct ') ?? false;
}
