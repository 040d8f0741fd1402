import type { ExerciseMeta } from '@ebpf-lab/exercises';
import type { SubmitRecord } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { grade, summary, verdict } from './index.ts';
import {
  meta,
  SECRET,
  PID,
  Trace,
  NOTES,
  CONFIG,
  pw,
  fdKey,
  dump,
  cleanMaps,
  correctRun,
  byId,
  hex,
} from './grade-test-runs.ts';

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

  it('grades each run on its own when the same exercise grades many (parameters read once)', () => {
    const empty = correctRun().map((o) => ({ ...o, submissions: [] }));
    const first = grade(meta, { observations: correctRun() });
    const second = grade(meta, { observations: empty });
    const third = grade(meta, { observations: correctRun() });
    expect(verdict(first)).toBe('pass');
    expect(verdict(second)).toBe('fail');
    expect(byId(second)['bait-around'].message).toContain('You submitted nothing.');
    expect(third).toEqual(first);
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

  it('makes no check of a scenario whose record of the target lost events, and says why', () => {
    const run = correctRun();
    run[1] = { ...run[1], lostEvents: 40 };
    const checks = byId(grade(meta, { observations: run }));
    const lossy = Object.values(checks).filter((c) => c.status === 'skipped');
    expect(lossy.length).toBeGreaterThan(0);
    for (const c of lossy)
      expect(c.message).toBe(
        `The lab lost 40 of the target's traced calls in scenario "${run[1].scenario}", so ` +
          'this check could not be made.',
      );
    // every check of another scenario is still made, and passes
    for (const c of Object.values(checks))
      if (c.scenario && c.scenario !== run[1].scenario) expect(c.status).toBe('pass');
    expect(verdict(Object.values(checks))).toBe('fail');
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
