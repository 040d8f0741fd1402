import type { LoaderLine } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { ObservationCollector, pairSyscalls, syscallName, withFiles } from './observations.ts';

type SyscallLine = Extract<LoaderLine, { type: 'syscall' }>;
const sys = (p: Partial<SyscallLine>): SyscallLine => ({
  type: 'syscall',
  scenario: 's',
  phase: 'enter',
  hook: 'sys_enter_read',
  ts: '1',
  pid: 10,
  tid: 10,
  ...p,
});

describe('syscallName', () => {
  it('strips the enter/exit prefix of syscall tracepoints only', () => {
    expect(syscallName('sys_enter_openat')).toBe('openat');
    expect(syscallName('sys_exit_read')).toBe('read');
    expect(syscallName('sched_process_exec')).toBe('sched_process_exec');
  });
});

describe('pairSyscalls', () => {
  it('pairs an exit with the open enter of the same thread and syscall', () => {
    const recs = pairSyscalls([
      sys({
        hook: 'sys_enter_openat',
        ts: '1',
        args: ['0', '140000', '0'],
        path: '/tmp/password',
      }),
      sys({
        hook: 'sys_enter_read',
        ts: '2',
        tid: 11,
        args: ['3', '99', '64'],
      }),
      sys({ hook: 'sys_exit_openat', phase: 'exit', ts: '3', ret: '3' }),
      sys({
        hook: 'sys_exit_read',
        phase: 'exit',
        ts: '4',
        tid: 11,
        ret: '20',
      }),
    ]);
    expect(recs).toEqual([
      {
        name: 'openat',
        pid: 10,
        tid: 10,
        enterTs: '1',
        exitTs: '3',
        args: ['0', '140000', '0'],
        path: '/tmp/password',
        ret: '3',
      },
      {
        name: 'read',
        pid: 10,
        tid: 11,
        enterTs: '2',
        exitTs: '4',
        args: ['3', '99', '64'],
        ret: '20',
      },
    ]);
  });

  it('takes the openat path from the exit when the enter could not read it', () => {
    const recs = pairSyscalls([
      sys({
        hook: 'sys_enter_openat',
        ts: '1',
        args: ['0', '140000', '0', '0'],
      }),
      sys({
        hook: 'sys_exit_openat',
        phase: 'exit',
        ts: '2',
        ret: '3',
        path: '/tmp/password',
      }),
      sys({
        hook: 'sys_exit_openat',
        phase: 'exit',
        ts: '3',
        tid: 12,
        ret: '4',
        path: '/tmp/orphan',
      }),
    ]);
    expect(recs).toEqual([
      {
        name: 'openat',
        pid: 10,
        tid: 10,
        enterTs: '1',
        exitTs: '2',
        args: ['0', '140000', '0', '0'],
        path: '/tmp/password',
        ret: '3',
      },
      {
        name: 'openat',
        pid: 10,
        tid: 12,
        exitTs: '3',
        args: [],
        path: '/tmp/orphan',
        ret: '4',
      },
    ]);
  });

  it('keeps the path read at enter over the one read at exit', () => {
    // the exit reads the buffer again, which another thread may have changed meanwhile
    const [rec] = pairSyscalls([
      sys({
        hook: 'sys_enter_openat',
        ts: '1',
        args: ['0', '140000', '0', '0'],
        path: '/tmp/password',
      }),
      sys({
        hook: 'sys_exit_openat',
        phase: 'exit',
        ts: '2',
        ret: '3',
        path: '/tmp/overwritten',
      }),
    ]);
    expect(rec.path).toBe('/tmp/password');
  });

  it('keeps an unmatched enter without ret and an orphan exit without args', () => {
    const recs = pairSyscalls([
      sys({ hook: 'sys_exit_read', phase: 'exit', ts: '1', ret: '5' }),
      sys({ hook: 'sys_enter_read', ts: '2', args: ['4', '1', '2'] }),
    ]);
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({ name: 'read', args: [], ret: '5' });
    expect(recs[1].ret).toBeUndefined();
  });
});

describe('ObservationCollector', () => {
  it('keeps scenarios apart and names their limits', () => {
    const c = new ObservationCollector(new Map([['a', [{ path: '/tmp/password', hex: '6869' }]]]));
    c.add({ type: 'scenario_start', scenario: 'a' });
    c.add({
      type: 'submit',
      scenario: 'a',
      record: {
        ts: '5',
        pid: 1,
        tid: 1,
        kind: 'bytes',
        data: '6869',
        truncated: false,
      },
    });
    c.add({ type: 'scenario_start', scenario: 'b' });
    c.add({
      type: 'limit',
      scenario: 'b',
      name: 'wall',
      message: 'the target ran longer than 2 s',
    });
    c.add(sys({ scenario: 'b' }));
    const [a, b] = c.result();
    expect(a.scenario).toBe('a');
    expect(a.planted).toEqual([{ path: '/tmp/password', hex: '6869' }]);
    expect(a.submissions).toHaveLength(1);
    expect(a.syscalls).toHaveLength(0);
    expect(b.submissions).toHaveLength(0);
    expect(b.syscalls).toHaveLength(1);
    expect(c.allLimits()).toEqual(['the target ran longer than 2 s']);
  });
});

describe('withFiles', () => {
  const rec = (name: string, args: string[], ret: string, path?: string) => ({
    name,
    pid: 10,
    tid: 10,
    args,
    ret,
    ...(path ? { path } : {}),
  });

  it('names the file behind fd 0 after dup2, dup3 and fcntl(F_DUPFD)', () => {
    const recs = withFiles([
      rec('openat', ['0', '1', '0', '0'], '3', '/tmp/message'),
      rec('dup2', ['3', '0'], '0'),
      rec('close', ['3'], '0'),
      rec('read', ['0', '1', '128'], '12'),
      rec('dup3', ['0', '7', '524288'], '7'),
      rec('fcntl', ['7', '0', '20'], '20'),
      rec('fcntl', ['7', '1030', '30'], '30'),
      rec('fcntl', ['7', '1', '0'], '0'),
      rec('read', ['20', '1', '128'], '0'),
      rec('read', ['30', '1', '128'], '0'),
    ]);
    expect(recs.map((r) => r.file)).toEqual([
      undefined,
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
      '/tmp/message',
    ]);
  });

  it('forgets an fd a dup2 replaced with an fd it does not know', () => {
    const recs = withFiles([
      rec('openat', ['0', '1', '0', '0'], '3', '/tmp/password'),
      rec('dup2', ['9', '3'], '3'),
      rec('read', ['3', '1', '128'], '5'),
    ]);
    expect(recs[2].file).toBeUndefined();
  });
});
