// The target's syscalls of one scenario as rows for the timeline, with each read marked as
// captured (a submission followed it on the same thread) or missed.
import type { ScenarioObservation, SubmitRecord, SyscallRecord } from '@ebpf-lab/protocol';
import { compareTs } from './live-run.ts';

export type RowKind = 'open' | 'read' | 'close' | 'other';

export interface TimelineRow {
  index: number;
  kind: RowKind;
  name: string;
  tid: number;
  /** Microseconds since the scenario's first recorded event. */
  atUs: number;
  fd?: string;
  path?: string;
  /** Bytes asked for (read) or the file descriptor returned (open). */
  requested?: string;
  ret?: string;
  failed: boolean;
  /** For reads: the submissions this read fed (matched by thread and time). */
  captured: SubmitRecord[];
  /** A read that returned data from a file the exercise cares about and no submission used. */
  missed: boolean;
}

export interface Timeline {
  scenario: string;
  rows: TimelineRow[];
  durationUs: number;
  /** Submissions that no read explains (for example sent from an enter hook). */
  unmatched: SubmitRecord[];
}

const stamp = (s: SyscallRecord) => s.exitTs ?? s.enterTs ?? '0';

function kindOf(name: string): RowKind {
  const base = name.replace(/^sys_(enter|exit)_/, '');
  if (base === 'openat' || base === 'open' || base === 'openat2') return 'open';
  if (base === 'read' || base === 'pread64') return 'read';
  if (base === 'close') return 'close';
  return 'other';
}

export function buildTimeline(obs: ScenarioObservation): Timeline {
  const calls = [...obs.syscalls].sort((a, b) =>
    compareTs(a.enterTs ?? stamp(a), b.enterTs ?? stamp(b)),
  );
  const times = [
    ...calls.flatMap((c) => [c.enterTs, c.exitTs]),
    ...obs.submissions.map((s) => s.ts),
  ].filter((t): t is string => typeof t === 'string' && t !== '');
  const origin =
    times.reduce<bigint | null>((min, t) => {
      const v = BigInt(t);
      return min === null || v < min ? v : min;
    }, null) ?? 0n;
  const us = (t: string | undefined) => (t ? Number((BigInt(t) - origin) / 1000n) : 0);
  const plantedPaths = new Set(obs.planted.map((p) => p.path));

  const fdPath = new Map<string, string>();
  const rows: TimelineRow[] = calls.map((call, index) => {
    const kind = kindOf(call.name);
    const failed = call.ret !== undefined && call.ret.startsWith('-');
    const row: TimelineRow = {
      index,
      kind,
      name: call.name.replace(/^sys_(enter|exit)_/, ''),
      tid: call.tid,
      atUs: us(call.enterTs ?? call.exitTs),
      ret: call.ret,
      failed,
      captured: [],
      missed: false,
    };
    if (kind === 'open') {
      row.path = call.path;
      if (call.ret && !failed && call.path) fdPath.set(call.ret, call.path);
    } else if (kind === 'read') {
      row.fd = call.args[0];
      row.requested = call.args[2];
      row.path = row.fd ? fdPath.get(row.fd) : undefined;
    } else if (kind === 'close') {
      row.fd = call.args[0];
      row.path = row.fd ? fdPath.get(row.fd) : undefined;
      if (row.fd) fdPath.delete(row.fd);
    }
    return row;
  });

  // A submission belongs to the read of its own thread that exited last before it: that is the
  // buffer a sys_exit_read program had in hand when it submitted.
  const unmatched: SubmitRecord[] = [];
  for (const submission of obs.submissions) {
    let best: TimelineRow | undefined;
    let bestTs: string | undefined;
    calls.forEach((call, i) => {
      const row = rows[i];
      if (row.kind !== 'read' || call.tid !== submission.tid || !call.exitTs) return;
      if (compareTs(call.exitTs, submission.ts) > 0) return;
      if (!bestTs || compareTs(call.exitTs, bestTs) > 0) {
        best = row;
        bestTs = call.exitTs;
      }
    });
    if (best) best.captured.push(submission);
    else unmatched.push(submission);
  }

  for (const row of rows) {
    if (row.kind !== 'read' || row.failed || row.captured.length > 0) continue;
    const gotData = row.ret !== undefined && BigInt(row.ret) > 0n;
    const relevant =
      plantedPaths.size === 0 || (row.path !== undefined && plantedPaths.has(row.path));
    row.missed = gotData && relevant;
  }

  const durationUs = times.length ? Math.max(...times.map((t) => us(t))) : 0;
  return { scenario: obs.scenario, rows, durationUs, unmatched };
}
