// Hand-made runs of read-file-password for the grader's tests: the target's calls, what a
// student submitted, and the maps left behind, correct unless a test changes them.
import { join } from 'node:path';
import { loadExercise } from '@ebpf-lab/exercises';
import type { ExerciseMeta } from '@ebpf-lab/exercises';
import type { MapDump, ScenarioObservation, SubmitRecord, SyscallRecord } from '@ebpf-lab/protocol';

import { grade } from './index.ts';

export const root = join(import.meta.dirname, '../../..');
const exercise: ExerciseMeta = loadExercise(join(root, 'bpf-templates/read-file-password')).meta;

/**
 * The exercise with a padding check, which it no longer has: the lab compiles with every local
 * variable zeroed, so a student's key cannot carry stray padding there. The check kind stays for
 * objects built without that zeroing; these runs keep it covered.
 */
export const meta: ExerciseMeta = {
  ...exercise,
  checks: [
    ...exercise.checks,
    {
      id: 'key-padding',
      title: 'Map keys have no stray padding bytes',
      required: true,
      kind: 'padding-diagnosis',
      params: { path: '/tmp/password' },
      hint: 'struct pid_fd_key has 4 padding bytes: zero the whole key before setting its fields.',
    },
  ],
};
export const SECRET = 'k3y9sq0x7m2b8n4c1v6z5w0a';
export const hex = (s: string) => Buffer.from(s).toString('hex');
export const PID = 4242;

/** A hand-made scenario: the target's calls in order, and what the student submitted when. */
export class Trace {
  private t = 1000n;
  readonly syscalls: SyscallRecord[] = [];
  readonly submissions: SubmitRecord[] = [];
  maps: MapDump[] = [];
  private next() {
    this.t += 10n;
    return String(this.t);
  }
  open(path: string, ret: number, tid = PID) {
    this.syscalls.push({
      name: 'openat',
      pid: PID,
      tid,
      enterTs: this.next(),
      exitTs: this.next(),
      args: ['18446744073709551516', '140000', '0', '0'],
      path,
      ret: String(ret),
    });
    return this;
  }
  /** A read; `submit` is what the student's exit program sent for it. */
  read(fd: number, ret: number, submit?: string, tid = PID) {
    const enterTs = this.next();
    const subTs = this.next();
    this.syscalls.push({
      name: 'read',
      pid: PID,
      tid,
      enterTs,
      exitTs: this.next(),
      args: [String(fd), '1400', '256'],
      ret: String(ret),
    });
    if (submit !== undefined)
      this.submissions.push({
        ts: subTs,
        pid: PID,
        tid,
        kind: 'user',
        data: hex(submit),
        truncated: false,
      });
    return this;
  }
  num(n: bigint | number) {
    this.submissions.push({
      ts: this.next(),
      pid: PID,
      tid: PID,
      kind: 'num',
      data: String(n),
      truncated: false,
    });
    return this;
  }
  obs(scenario: string, files: Record<string, string>): ScenarioObservation {
    return {
      scenario,
      planted: Object.entries(files).map(([path, content]) => ({
        path,
        hex: hex(content),
      })),
      submissions: this.submissions,
      debug: [],
      syscalls: this.syscalls,
      maps: this.maps,
      target: {
        code: 0,
        signal: null,
        timedOut: false,
        stdout: '',
        stderr: '',
      },
      limits: [],
    };
  }
}

export const NOTES = 'buy milk, call the plumber\n';
export const CONFIG = '[ui]\ntheme=dark\n';
export const pw = { '/tmp/password': SECRET };

export const fdKey = (tgid: number, fd: number, pad = '00000000') => ({
  keyHex: Buffer.concat([
    Buffer.from(new BigUint64Array([BigInt(tgid)]).buffer),
    Buffer.from(new Uint32Array([fd]).buffer),
    Buffer.from(pad, 'hex'),
  ]).toString('hex'),
  valueHex: '01',
  key: {
    kind: 'struct' as const,
    fields: [
      {
        name: 'pid',
        offset: 0,
        value: { kind: 'int' as const, value: String(tgid) },
      },
      {
        name: 'fd',
        offset: 8,
        value: { kind: 'int' as const, value: String(fd) },
      },
    ],
    ...(pad !== '00000000' ? { padding: [{ offset: 12, hex: pad }] } : {}),
  },
});
export const dump = (name: string, entries: MapDump['entries'] = []): MapDump => ({
  name,
  type: 'hash',
  keySize: 16,
  valueSize: 1,
  maxEntries: 1024,
  keyType: 'struct pid_fd_key',
  entries,
  truncated: false,
});
export const cleanMaps = (fds: MapDump['entries'] = []) => [
  dump('open_curr_fd_interesting'),
  dump('read_curr_fd_buf'),
  dump('open_interesting_fds', fds),
];

/** Every scenario of read-file-password as a correct solution would be observed. */
export function correctRun(): ScenarioObservation[] {
  const a = new Trace()
    .open('/tmp/notes.txt', 3)
    .read(3, 27)
    .open('/tmp/password', 4)
    .read(4, 24, SECRET)
    .open('/tmp/config.ini', 5)
    .read(5, 16);
  a.maps = cleanMaps([fdKey(PID, 4)]);
  const b = new Trace()
    .open('/tmp/password', 3)
    .open('/tmp/notes.txt', 4)
    .read(4, 10)
    .read(3, 24, SECRET)
    .read(4, 17);
  b.maps = cleanMaps([fdKey(PID, 3)]);
  const c = new Trace()
    .open('/tmp/password.bak', 3)
    .read(3, 17)
    .open('/tmp/passwordX', 4)
    .read(4, 13)
    .open('/tmp/passwor', 5)
    .read(5, 13)
    .open('/tmp/password', 6)
    .read(6, 24, SECRET);
  c.maps = cleanMaps([fdKey(PID, 6)]);
  const d = new Trace()
    .open('/tmp/password', -20)
    .open('/tmp/notes.txt', 3)
    .read(3, 27)
    .open('/tmp/password', 4)
    .read(4, 24, SECRET);
  d.maps = cleanMaps([fdKey(PID, 4)]);
  const e = new Trace().open('/tmp/password', 3);
  for (let i = 0; i < 24; i += 5) e.read(3, Math.min(5, 24 - i), SECRET.slice(i, i + 5));
  e.read(3, 0);
  e.maps = cleanMaps([fdKey(PID, 3)]);
  const f = new Trace().open('/tmp/password', 3).read(3, 24, SECRET, PID + 1);
  f.maps = cleanMaps([fdKey(PID, 3)]);
  return [
    a.obs('bait-around', {
      '/tmp/notes.txt': NOTES,
      ...pw,
      '/tmp/config.ini': CONFIG,
    }),
    b.obs('kept-open', { ...pw, '/tmp/notes.txt': NOTES }),
    c.obs('decoys', {
      '/tmp/password.bak': 'last-week-backup\n',
      '/tmp/passwordX': 'not-this-one\n',
      '/tmp/passwor': 'nor-this-one\n',
      ...pw,
    }),
    d.obs('failed-open', { ...pw, '/tmp/notes.txt': NOTES }),
    e.obs('chunks', pw),
    f.obs('second-thread', pw),
  ];
}

export const byId = (checks: ReturnType<typeof grade>) =>
  Object.fromEntries(checks.map((c) => [c.id, c]));
