// The grader's maps found by what they hold, the timeline, secrets kept out of messages, and
// number answers.
import type { ExerciseMeta } from '@ebpf-lab/exercises';
import type { MapDump } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { grade, timeline } from './index.ts';
import { meta, SECRET, hex, PID, Trace, pw, correctRun, byId } from './grade-test-runs.ts';

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
