import { describe, expect, it } from 'vitest';
import { sandboxArgs } from './sandbox.ts';
import type { SandboxSpec } from './sandbox.ts';

const spec: SandboxSpec = {
  program: '/usr/bin/true',
  args: ['--flag'],
  libraries: [],
  readOnly: ['/usr/include', '/usr/include/bpf'],
  workDir: '/work',
  workDirBytes: 4096,
  files: [{ fd: 3, path: '/work/flags.txt' }],
  limits: { addressSpaceBytes: 1024, cpuSeconds: 2, fileSizeBytes: 4096, openFiles: 8 },
};

/** The value following `flag` in an argument list, each time it appears. */
function after(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('sandboxArgs', () => {
  it('builds one jail: limits, every namespace, no capabilities, nobody, an empty root', () => {
    const { command, args } = sandboxArgs(spec);
    expect(command).toBe('prlimit');
    const bwrap = args.indexOf('bwrap');
    expect(args.slice(0, bwrap)).toEqual([
      '--as=1024',
      '--cpu=2',
      '--fsize=4096',
      '--nofile=8',
      '--core=0',
      '--',
    ]);
    const jail = args.slice(bwrap + 1);
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv'])
      expect(jail).toContain(flag);
    expect(after(jail, '--cap-drop')).toEqual(['ALL']);
    expect(after(jail, '--uid')).toEqual(['65534']);
    expect(jail).not.toContain('--proc');
    // The root is an empty tmpfs, remounted read-only; only the named paths are bound into it.
    expect(after(jail, '--tmpfs')).toEqual(['/', '/work']);
    expect(after(jail, '--ro-bind')).toEqual(['/usr/bin/true', '/usr/include', '/usr/include/bpf']);
    expect(after(jail, '--file')).toEqual(['3']);
    expect(after(jail, '--chdir')).toEqual(['/work']);
    expect(jail.slice(jail.indexOf('--remount-ro'))).toEqual([
      '--remount-ro',
      '/',
      '--',
      '/usr/bin/true',
      '--flag',
    ]);
  });

  it('leaves per-process limits to a program that sets its own, with a work dir it cannot fill', () => {
    const { args } = sandboxArgs({
      ...spec,
      workDirBytes: undefined,
      limits: { fileSizeBytes: 4096, openFiles: 8 },
    });
    expect(args.some((a) => a.startsWith('--as=') || a.startsWith('--cpu='))).toBe(false);
    expect(after(args, '--dir')).toEqual(['/work']);
    expect(after(args, '--tmpfs')).toEqual(['/']);
  });

  it('refuses a bound path the work dir would hide', () => {
    expect(() => sandboxArgs({ ...spec, readOnly: ['/work/include'] })).toThrow(/work dir/);
  });
});
