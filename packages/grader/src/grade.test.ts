import { join } from 'node:path';
import { loadExercise } from '@ebpf-lab/exercises';
import type { ExerciseMeta } from '@ebpf-lab/exercises';
import type { MapDump, ScenarioObservation, SubmitRecord, SyscallRecord } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { grade, summary, timeline, verdict } from './index.ts';

const root = join(import.meta.dirname, '../../..');
const meta: ExerciseMeta = loadExercise(join(root, 'bpf-templates/read-file-password')).meta;
const SECRET = 'k3y9sq0x7m2b8n4c1v6z5w0a';
const hex = (s: string) => Buffer.from(s).toString('hex');
const PID = 4242;

/** A hand-made scenario: the target's calls in order, and what the student submitted when. */
class Trace {
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

const NOTES = 'buy milk, call the plumber\n';
const CONFIG = '[ui]\ntheme=dark\n';
const pw = { '/tmp/password': SECRET };

const fdKey = (tgid: number, fd: number, pad = '00000000') => ({
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
const dump = (name: string, entries: MapDump['entries'] = []): MapDump => ({
  name,
  type: 'hash',
  keySize: 16,
  valueSize: 1,
  maxEntries: 1024,
  keyType: 'struct pid_fd_key',
  entries,
  truncated: false,
});
const cleanMaps = (fds: MapDump['entries'] = []) => [
  dump('open_curr_fd_interesting'),
  dump('read_curr_fd_buf'),
  dump('open_interesting_fds', fds),
];

/** Every scenario of read-file-password as a correct solution would be observed. */
function correctRun(): ScenarioObservation[] {
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

const byId = (checks: ReturnType<typeof grade>) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('grade (read-file-password)', () => {
  it('passes every check, in the exercise order, for a correct run', () => {
    const checks = grade(meta, { observations: correctRun() });
    expect(checks.map((c) => c.id)).toEqual(meta.checks.map((c) => c.id));
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(verdict(checks)).toBe('pass');
  });

  it('names the bait file and the read it was captured at', () => {
    const run = correctRun();
    const a = new Trace()
      .open('/tmp/notes.txt', 3)
      .read(3, 27)
      .open('/tmp/password', 4)
      .read(4, 24, SECRET)
      .open('/tmp/config.ini', 5)
      .read(5, 16, CONFIG);
    a.maps = cleanMaps([fdKey(PID, 4)]);
    run[0] = a.obs('bait-around', {
      '/tmp/notes.txt': NOTES,
      ...pw,
      '/tmp/config.ini': CONFIG,
    });
    const c = byId(grade(meta, { observations: run }))['bait-around'];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('followed by 16 extra bytes');
    expect(c.message).toContain(
      'Record 2: 16 bytes, content of /tmp/config.ini, submitted at a read() of /tmp/config.ini',
    );
    expect(c.hint).toMatch(/in-flight marker/);
  });

  it('says what the target read when nothing was submitted, without revealing the secret', () => {
    const run = correctRun().map((o) => ({ ...o, submissions: [] }));
    const checks = grade(meta, { observations: run });
    const c = byId(checks)['bait-around'];
    expect(c.message).toContain(
      'You submitted nothing. Expected exactly 24 bytes: the content of /tmp/password.',
    );
    expect(c.message).toContain(
      'The target read /tmp/password in 1 read() call (24 bytes in all) on fd 4.',
    );
    for (const check of checks) expect(check.message).not.toContain(SECRET);
    expect(verdict(checks)).toBe('fail');
  });

  it('shows a buffer submitted with the requested size instead of ret', () => {
    const run = correctRun();
    const padded = SECRET + '\0'.repeat(232);
    const a = new Trace()
      .open('/tmp/notes.txt', 3)
      .read(3, 27)
      .open('/tmp/password', 4)
      .read(4, 24, padded)
      .open('/tmp/config.ini', 5)
      .read(5, 16);
    a.maps = cleanMaps([fdKey(PID, 4)]);
    run[0] = a.obs('bait-around', {
      '/tmp/notes.txt': NOTES,
      ...pw,
      '/tmp/config.ini': CONFIG,
    });
    const c = byId(grade(meta, { observations: run }))['bait-around'];
    expect(c.message).toContain(
      'Record 1: 256 bytes, starts like /tmp/password, then differs, submitted at a read() of /tmp/password that returned 24.',
    );
  });

  it('reports the chunks that were missed', () => {
    const run = correctRun();
    const e = new Trace()
      .open('/tmp/password', 3)
      .read(3, 5, SECRET.slice(0, 5))
      .read(3, 5)
      .read(3, 5)
      .read(3, 5)
      .read(3, 4)
      .read(3, 0);
    e.maps = cleanMaps([]);
    run[4] = e.obs('chunks', pw);
    const c = byId(grade(meta, { observations: run }))['chunks'];
    expect(c.message).toContain('You submitted only the first 5 of them.');
    expect(c.message).toContain('in 5 read() calls (24 bytes in all)');
  });

  it('fails only the bonus check when the second thread is missed, and the verdict stays pass', () => {
    const run = correctRun();
    run[5] = { ...run[5], submissions: [] };
    const checks = grade(meta, { observations: run });
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['second-thread']);
    expect(verdict(checks)).toBe('pass');
  });

  it('names the map and scenario that kept an in-flight entry', () => {
    const run = correctRun();
    run[3] = {
      ...run[3],
      maps: [
        dump('open_curr_fd_interesting', [
          {
            keyHex: '9210000092100000',
            valueHex: '01',
            key: { kind: 'int', value: '18223922556306' },
          },
        ]),
        dump('read_curr_fd_buf'),
        dump('open_interesting_fds', [fdKey(PID, 4)]),
      ],
    };
    const c = byId(grade(meta, { observations: run }))['in-flight-empty'];
    expect(c.status).toBe('fail');
    expect(c.message).toBe(
      'Expected the maps keyed by a thread (in the starter: `open_curr_fd_interesting` and `read_curr_fd_buf`) to be empty once the target finished; after scenario "failed-open", `open_curr_fd_interesting` still held 1 entry keyed by a thread (keys: 18223922556306, thread 4242).',
    );
  });

  it('says which fd the map of open fds missed and which extra fd it held', () => {
    const run = correctRun();
    run[1] = { ...run[1], maps: cleanMaps([fdKey(PID, 4)]) };
    const c = byId(grade(meta, { observations: run }))['tracks-password-fd'];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('still had /tmp/password open as fd 3 of process 4242');
    expect(c.message).toContain('did not hold fd 3');
    expect(c.message).toContain(
      'It held {pid=4242, fd=4} (fd 4 of process 4242), but that fd is /tmp/notes.txt.',
    );
  });

  it('explains padding from the key layout and the missed reads', () => {
    const run = correctRun().map((o) => ({
      ...o,
      submissions: [],
      maps: cleanMaps([fdKey(PID, 4, 'a03f0000')]),
    }));
    const object = {
      ok: true,
      diagnostics: [],
      mapKeys: [
        {
          map: 'open_interesting_fds',
          type: 'struct pid_fd_key',
          size: 16,
          holes: [{ offset: 12, size: 4 }],
        },
      ],
    };
    const c = byId(grade(meta, { observations: run, object }))['key-padding'];
    expect(c.status).toBe('fail');
    expect(c.message).toContain(
      'held 1 key whose padding was not zero (bytes at offset 12: a0 3f 00 00)',
    );
    expect(c.message).toContain(
      'Struct pid_fd_key is 16 bytes, of which bytes 12–15 belong to no field.',
    );
    expect(c.message).toContain(
      'the target read /tmp/password 10 times and your programs submitted at 0 of those reads',
    );
    expect(c.hint).toMatch(/padding/);
  });

  it('calls hits with dirty padding luck', () => {
    const run = correctRun().map((o) => ({
      ...o,
      maps: cleanMaps([fdKey(PID, 4, '00c9ffff')]),
    }));
    const c = byId(grade(meta, { observations: run }))['key-padding'];
    expect(c.status).toBe('fail');
    expect(c.message).toContain(
      'The key type struct pid_fd_key (16 bytes) has bytes that belong to no field.',
    );
    expect(c.message).toContain('so the lookups still hit: that is luck');
  });

  it('finds dirty padding from the layout alone when the dump did not decode it', () => {
    const run = correctRun();
    const raw = fdKey(PID, 4, '0000ff00');
    run[0] = {
      ...run[0],
      maps: cleanMaps([{ keyHex: raw.keyHex, valueHex: '01' }]),
    };
    const object = {
      mapKeys: [
        {
          map: 'open_interesting_fds',
          size: 16,
          holes: [{ offset: 12, size: 4 }],
        },
      ],
    };
    expect(byId(grade(meta, { observations: run, object }))['key-padding'].status).toBe('fail');
    const ok = byId(grade(meta, { observations: correctRun(), object }))['key-padding'];
    expect(ok).toMatchObject({
      status: 'pass',
      message:
        'the key is 16 bytes, of which bytes 12–15 belong to no field; every key your maps held had those bytes zeroed.',
    });
  });

  it('marks checks of a scenario that did not run as skipped, and the verdict fails', () => {
    const checks = grade(meta, { observations: correctRun().slice(0, 2) });
    expect(byId(checks)['chunks'].status).toBe('skipped');
    expect(verdict(checks)).toBe('fail');
  });

  it('adds how the target ended to a failure', () => {
    const run = correctRun();
    run[0] = {
      ...run[0],
      submissions: [],
      target: {
        code: null,
        signal: null,
        timedOut: true,
        stdout: '',
        stderr: '',
      },
      limits: ['the target ran longer than 2 s'],
    };
    expect(byId(grade(meta, { observations: run }))['bait-around'].message).toMatch(
      /Note: the target was stopped at the time limit; the target ran longer than 2 s\.$/,
    );
  });
});

describe('the cause first', () => {
  const paddingObject = {
    mapKeys: [
      {
        map: 'open_interesting_fds',
        type: 'struct pid_fd_key',
        size: 16,
        holes: [{ offset: 12, size: 4 }],
      },
    ],
  };

  it('points every answer check that saw nothing at the padding check, without their hints', () => {
    const run = correctRun().map((o) => ({
      ...o,
      submissions: [],
      maps: cleanMaps([fdKey(PID, 4, 'a03f0000')]),
    }));
    const checks = grade(meta, { observations: run, object: paddingObject });
    const c = byId(checks);
    for (const id of ['bait-around', 'kept-open', 'decoys', 'failed-open', 'chunks']) {
      expect(c[id].status).toBe('fail');
      expect(c[id].causedBy).toBe('key-padding');
      expect(c[id].hint).toBeUndefined();
      expect(c[id].message).toContain(
        'This follows from the failed check "Map keys have no stray padding bytes": fix that first.',
      );
    }
    expect(c['key-padding'].hint).toMatch(/padding/);
    expect(summary(checks)).toBe(
      '7 of 8 required checks failed. Start with: Map keys have no stray padding bytes (it explains the others).',
    );
  });

  it('does not blame padding that happened to match for a capture that went wrong for another reason', () => {
    const run = correctRun().map((o) => ({ ...o, maps: cleanMaps([fdKey(PID, 4, '00c9ffff')]) }));
    const a = new Trace()
      .open('/tmp/notes.txt', 3)
      .read(3, 27)
      .open('/tmp/password', 4)
      .read(4, 24, SECRET)
      .open('/tmp/config.ini', 5)
      .read(5, 16, CONFIG);
    a.maps = cleanMaps([fdKey(PID, 4, '00c9ffff')]);
    run[0] = a.obs('bait-around', { '/tmp/notes.txt': NOTES, ...pw, '/tmp/config.ini': CONFIG });
    const checks = grade(meta, { observations: run, object: paddingObject });
    const c = byId(checks)['bait-around'];
    expect(c.causedBy).toBeUndefined();
    expect(c.hint).toMatch(/in-flight marker/);
    expect(summary(checks)).toBe(
      '3 of 8 required checks failed. First: Only the password, with other files read before and after it.',
    );
  });

  it('points a captured bait file at a leftover in-flight marker', () => {
    const run = correctRun();
    const a = new Trace()
      .open('/tmp/notes.txt', 3)
      .read(3, 27)
      .open('/tmp/password', 4)
      .read(4, 24, SECRET)
      .open('/tmp/config.ini', 5)
      .read(5, 16, CONFIG);
    a.maps = [
      dump('open_curr_fd_interesting', [
        {
          keyHex: '9210000092100000',
          valueHex: '01',
          key: { kind: 'int', value: String((BigInt(PID) << 32n) | BigInt(PID)) },
        },
      ]),
      dump('read_curr_fd_buf'),
      dump('open_interesting_fds', [fdKey(PID, 4)]),
    ];
    run[0] = a.obs('bait-around', { '/tmp/notes.txt': NOTES, ...pw, '/tmp/config.ini': CONFIG });
    const checks = grade(meta, { observations: run });
    expect(byId(checks)['bait-around'].causedBy).toBe('in-flight-empty');
    expect(summary(checks)).toContain('Start with: Nothing left in flight after each scenario');
  });

  it('keeps a hint only when what was observed fits it', () => {
    const run = correctRun();
    const a = new Trace()
      .open('/tmp/notes.txt', 3)
      .read(3, 27)
      .open('/tmp/password', 4)
      .read(4, 24, SECRET + '\0'.repeat(232))
      .open('/tmp/config.ini', 5)
      .read(5, 16);
    a.maps = cleanMaps([fdKey(PID, 4)]);
    run[0] = a.obs('bait-around', { '/tmp/notes.txt': NOTES, ...pw, '/tmp/config.ini': CONFIG });
    // 256 bytes at the right read: the bait-around hint (markers, fds) would teach the wrong thing.
    const c = byId(grade(meta, { observations: run }))['bait-around'];
    expect(c.status).toBe('fail');
    expect(c.hint).toBeUndefined();
    const e = new Trace()
      .open('/tmp/password', 3)
      .read(3, 5, SECRET.slice(0, 5))
      .read(3, 5)
      .read(3, 0);
    e.maps = cleanMaps([fdKey(PID, 3)]);
    const chunks = grade(meta, {
      observations: [...correctRun().slice(0, 4), e.obs('chunks', pw)],
    });
    expect(byId(chunks)['chunks'].hint).toMatch(/5 bytes at a time/);
  });
});

describe('maps found by what they hold, not by their names', () => {
  const u32 = (v: number) => Buffer.from(new Uint32Array([v]).buffer);
  const u64 = (v: bigint) => Buffer.from(new BigUint64Array([v]).buffer);
  const raw = (...parts: Buffer[]) => ({
    keyHex: Buffer.concat(parts).toString('hex'),
    valueHex: '01',
  });
  const map = (name: string, keySize: number, entries: MapDump['entries'] = []): MapDump => ({
    name,
    type: 'hash',
    keySize,
    valueSize: 1,
    maxEntries: 64,
    entries,
    truncated: false,
  });
  const pidTgid = (tid = PID) => (BigInt(PID) << 32n) | BigInt(tid);
  /** A correct run whose maps are named and keyed the student's own way. */
  const runWith = (fdMap: (fd: number) => MapDump, others: MapDump[] = []) =>
    correctRun().map((o) => {
      const fd = Number(
        [...timeline(o.syscalls).openAtEnd]
          .find(([, p]) => p === '/tmp/password')![0]
          .split(':')[1],
      );
      return {
        ...o,
        maps: [map('marks', 8), map('bufs', 8), fdMap(fd), ...others],
      };
    });
  const layout = (name: string, size: number, members: [string, number, number][]) => ({
    mapKeys: [
      {
        map: name,
        size,
        members: members.map(([n, offset, sz]) => ({
          name: n,
          offset,
          size: sz,
        })),
        holes: [],
      },
    ],
  });

  it.each([
    [
      'a packed u64 of process and fd',
      (fd: number) => map('pw', 8, [raw(u64((BigInt(PID) << 32n) | BigInt(fd)))]),
      undefined,
    ],
    [
      'a u64 with the fd in the upper half',
      (fd: number) => map('pw', 8, [raw(u64((BigInt(fd) << 32n) | BigInt(PID)))]),
      undefined,
    ],
    [
      '{u32 fd; u32 pid}',
      (fd: number) => map('seen', 8, [raw(u32(fd), u32(PID))]),
      layout('seen', 8, [
        ['f', 0, 4],
        ['p', 4, 4],
      ]),
    ],
    [
      '{u32 pid; u32 fd}',
      (fd: number) => map('seen', 8, [raw(u32(PID), u32(fd))]),
      layout('seen', 8, [
        ['who', 0, 4],
        ['which', 4, 4],
      ]),
    ],
    [
      '{u64 pid; u32 fd; u32 pad}',
      (fd: number) => map('k', 16, [raw(u64(BigInt(PID)), u32(fd), u32(0))]),
      layout('k', 16, [
        ['pid', 0, 8],
        ['fd', 8, 4],
        ['pad', 12, 4],
      ]),
    ],
    [
      '{u32 pad; u32 fd; u64 tgid}',
      (fd: number) => map('k', 16, [raw(u32(0), u32(fd), u64(BigInt(PID)))]),
      layout('k', 16, [
        ['pad', 0, 4],
        ['fd', 4, 4],
        ['tgid', 8, 8],
      ]),
    ],
    [
      'a whole pid_tgid beside the fd',
      (fd: number) => map('k', 16, [raw(u64(pidTgid()), u32(fd), u32(0))]),
      layout('k', 16, [
        ['id', 0, 8],
        ['n', 8, 4],
      ]),
    ],
  ])('passes a correct run whose fd key is %s', (_name, fdMap, object) => {
    const checks = grade(meta, { observations: runWith(fdMap), object });
    const c = byId(checks)['tracks-password-fd'];
    expect(c.status, c.message).toBe('pass');
    expect(byId(checks)['in-flight-empty'].status).toBe('pass');
  });

  it('fails the fd map by what it holds, whatever it is called', () => {
    const run = runWith(() => map('pw', 8, [raw(u64((BigInt(PID) << 32n) | 9n))]));
    const c = byId(grade(meta, { observations: run }))['tracks-password-fd'];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('Your map tracking fds is `pw`');
    expect(c.message).toContain('did not hold fd 3');
  });

  it('finds an fd map emptied too early by its key type', () => {
    const run = runWith(() => map('k', 16)).map((o) => ({
      ...o,
      maps: o.maps.map((m) => (m.name === 'k' ? { ...m, keyType: 'struct pair' } : m)),
    }));
    const object = layout('k', 16, [
      ['a', 0, 8],
      ['b', 8, 4],
    ]);
    const c = byId(grade(meta, { observations: run, object }))['tracks-password-fd'];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('the map whose key type (struct pair) has two integer fields');
  });

  it('says when no map can be told apart, and does not fail a right answer for it', () => {
    const hashed = (fd: number) => map('h', 8, [raw(u64(BigInt(PID) * 1000003n + BigInt(fd)))]);
    const right = byId(grade(meta, { observations: runWith(hashed) }))['tracks-password-fd'];
    expect(right.status).toBe('pass');
    expect(right.message).toContain('None of your maps could be told apart');
    expect(right.message).toContain('not held against you');
    const run = runWith(hashed);
    run[1] = { ...run[1], submissions: [] };
    expect(byId(grade(meta, { observations: run }))['tracks-password-fd'].status).toBe('fail');
  });

  it('counts a leftover entry keyed by a thread id, a pid_tgid or a {pid, tid} pair as in flight', () => {
    const other = PID + 1;
    for (const [entry, object] of [
      [raw(u32(other)), undefined],
      [raw(u64(pidTgid(other))), undefined],
      [
        raw(u32(PID), u32(other)),
        layout('marks', 8, [
          ['p', 0, 4],
          ['t', 4, 4],
        ]),
      ],
    ] as const) {
      const run = runWith((fd) => map('pw', 8, [raw(u64((BigInt(PID) << 32n) | BigInt(fd)))]));
      run[5] = {
        ...run[5],
        maps: [map('marks', entry.keyHex.length / 2, [entry]), ...run[5].maps.slice(1)],
      };
      const c = byId(grade(meta, { observations: run, object }))['in-flight-empty'];
      expect(c.status, JSON.stringify(entry)).toBe('fail');
      expect(c.message).toContain('`marks` still held 1 entry keyed by a thread');
    }
  });
});

describe('timeline', () => {
  it('follows dup2 onto a tracked fd: the number now names the other file', () => {
    const t = new Trace().open('/tmp/password', 3).open('/tmp/notes.txt', 4);
    t.syscalls.push({
      name: 'dup2',
      pid: PID,
      tid: PID,
      enterTs: '9000',
      exitTs: '9001',
      args: ['4', '3'],
      ret: '3',
    });
    t.read(3, 27);
    const { calls, openAtEnd } = timeline(t.syscalls);
    expect(calls.at(-1)!.fdPath).toBe('/tmp/notes.txt');
    expect(openAtEnd.get(`${PID}:3`)).toBe('/tmp/notes.txt');
  });
});

describe('grade (secrets in messages)', () => {
  it('hides a planted secret inside a path the message would print', () => {
    const m: ExerciseMeta = {
      ...meta,
      checks: [
        {
          id: 'p',
          title: 'p',
          scenario: 's',
          required: true,
          kind: 'answer-equals',
          params: {
            expect: {
              fromSyscall: {
                syscall: 'openat',
                pick: 'first',
                argMask: [2, 64],
                field: 'path',
              },
            },
          },
          hint: 'h',
        },
      ],
    };
    const t = new Trace().open('/tmp/readme.txt', 3);
    t.syscalls.push({
      name: 'openat',
      pid: PID,
      tid: PID,
      enterTs: '5000',
      exitTs: '5002',
      args: ['0', '0', '577', '384'],
      path: `/tmp/${SECRET}.log`,
      ret: '4',
    });
    t.submissions.push({
      ts: '5001',
      pid: PID,
      tid: PID,
      kind: 'bytes',
      data: hex(`/tmp/${SECRET}.log\0`),
      truncated: false,
    });
    const c = grade(m, {
      observations: [t.obs('s', { '/tmp/name': `${SECRET}\n` })],
    })[0];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('submitted during openat() of /tmp/<secret>.log');
    expect(c.message).not.toContain(SECRET);
  });
});

describe('grade (numbers)', () => {
  const numMeta = (expect: unknown): ExerciseMeta => ({
    ...meta,
    answer: { kind: 'number' },
    checks: [
      {
        id: 'n',
        title: 'n',
        scenario: 's',
        required: true,
        kind: 'answer-number',
        params: { expect },
        hint: 'h',
      },
    ],
  });
  const execObs = (t: Trace) => {
    t.syscalls.push({
      name: 'execve',
      pid: 5000,
      tid: 5000,
      args: [],
      ret: '0',
    });
    return t.obs('s', {});
  };

  it('compares one SUBMIT_NUM with a value from the ground truth', () => {
    const m = numMeta({
      fromSyscall: { syscall: 'execve', pick: 'last', field: 'pid' },
    });
    expect(grade(m, { observations: [execObs(new Trace().num(5000))] })[0]).toMatchObject({
      status: 'pass',
    });
    const wrong = grade(m, {
      observations: [execObs(new Trace().open('/tmp/x', 3).num(PID))],
    })[0];
    expect(wrong.message).toBe(
      `You submitted ${PID}; expected the pid of the target's last execve() call. ${PID} is the id of one of the target's processes, but not the one asked for.`,
    );
    const whole = grade(m, {
      observations: [execObs(new Trace().num((5000n << 32n) | 5000n))],
    })[0];
    expect(whole.message).toContain('a whole pid_tgid');
  });

  it('refuses several numbers even when one is right', () => {
    const m = numMeta({
      fromSyscall: { syscall: 'execve', pick: 'last', field: 'pid' },
    });
    const c = grade(m, {
      observations: [execObs(new Trace().num(1).num(5000))],
    })[0];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('You submitted 2 numbers (1, 5000)');
    expect(c.message).toContain('One of them is right');
  });

  it('recognises a port left in network byte order', () => {
    const m = numMeta({ stdout: 'port (\\d+)' });
    const o = new Trace().num(0x3930).obs('s', {});
    o.target = {
      code: 0,
      signal: null,
      timedOut: false,
      stdout: 'port 12345\n',
      stderr: '',
    };
    expect(grade(m, { observations: [o] })[0].message).toContain('two bytes swapped');
  });
});

describe('network answers', () => {
  /** A call of the target with a student's record submitted at its exit. */
  const call = (
    t: Trace,
    name: string,
    args: string[],
    ret: number,
    sub?: SubmitRecord['kind'],
  ) => {
    const at = 20_000 + t.syscalls.length * 10;
    t.syscalls.push({
      name,
      pid: PID,
      tid: PID,
      enterTs: String(at),
      exitTs: String(at + 2),
      args,
      ret: String(ret),
    });
    if (sub)
      t.submissions.push({
        ts: String(at + 1),
        pid: PID,
        tid: PID,
        kind: sub,
        data: sub === 'num' ? '167838211' : hex(SECRET),
        truncated: false,
      });
    return t;
  };

  it('recognises an IPv4 address left in network byte order, and names what it expected', () => {
    const m: ExerciseMeta = {
      ...meta,
      answer: { kind: 'number' },
      checks: [
        {
          id: 'n',
          title: 'n',
          scenario: 's',
          required: true,
          kind: 'answer-number',
          params: { expect: { stdout: 'is [0-9.]+ \\((\\d+)\\)', describe: 'the address' } },
          hint: 'h',
        },
      ],
    };
    const o = new Trace().num(0x0302010a).obs('s', {});
    o.target!.stdout = 'db.lab.test is 10.1.2.3 (167838211)\n';
    const c = grade(m, { observations: [o] })[0];
    expect(c.message).toContain('expected the address.');
    expect(c.message).toContain('four bytes reversed');
    expect(c.message).toContain('bpf_ntohl');
  });

  it('passes a scenario with nothing to submit only when nothing was submitted', () => {
    const m: ExerciseMeta = {
      ...meta,
      checks: [
        {
          id: 'none',
          title: 'none',
          scenario: 's',
          required: true,
          kind: 'answer-nothing',
          params: {},
          hint: 'h',
        },
      ],
    };
    const quiet = call(new Trace(), 'recvfrom', ['4', '1400', '512'], -11).obs('s', {});
    expect(grade(m, { observations: [quiet] })[0].status).toBe('pass');
    // silence from a target that never got through the scenario proves nothing
    const stopped = structuredClone(quiet);
    stopped.target!.timedOut = true;
    stopped.target!.code = null;
    const c0 = grade(m, { observations: [stopped] })[0];
    expect(c0.status).toBe('fail');
    expect(c0.message).toContain('could not be made');
    const t = call(new Trace(), 'recvfrom', ['4', '1400', '40'], 40);
    call(t, 'recvfrom', ['4', '1400', '512'], -11, 'num');
    const c = grade(m, { observations: [t.obs('s', {})] })[0];
    expect(c.status).toBe('fail');
    expect(c.message).toBe(
      'Nothing should be submitted in this scenario; you submitted 1 record. Record 1: the number 167838211, submitted during recvfrom() that failed (-11).',
    );
  });

  it('says whether bytes were written to a socket or to a file', () => {
    const m: ExerciseMeta = {
      ...meta,
      checks: [
        {
          id: 'pw',
          title: 'pw',
          scenario: 's',
          required: true,
          kind: 'answer-equals',
          params: { expect: { file: '/tmp/password' } },
          hint: 'h',
        },
      ],
    };
    const t = new Trace().open('/tmp/requests.log', 3);
    call(t, 'socket', ['2', '1', '0'], 4);
    call(t, 'write', ['3', '1400', '137'], 137, 'user');
    call(t, 'sendto', ['4', '1400', '137', '0', '0', '0'], 137, 'user');
    const c = grade(m, { observations: [t.obs('s', pw)] })[0];
    expect(c.status).toBe('fail');
    expect(c.message).toContain('submitted during write() to /tmp/requests.log.');
    expect(c.message).toContain('submitted during sendto() to a socket.');
    expect(c.message).not.toContain(SECRET);
  });
});
