import { describe, expect, it } from 'vitest';
import { runProcess, startProcess } from './process.ts';

describe('runProcess', () => {
  it('passes input and returns output and the exit code', async () => {
    const res = await runProcess('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'hello' });
    expect(res).toMatchObject({ code: 3, timedOut: false, stdoutTruncated: false });
    expect(res.stdout.toString()).toBe('hello');
    expect(res.stderr.toString()).toBe('err\n');
  });

  it('caps output per stream and says so', async () => {
    const res = await runProcess('sh', ['-c', 'head -c 100000 /dev/zero'], {
      maxOutputBytes: 1000,
    });
    expect(res.stdout.length).toBe(1000);
    expect(res.stdoutTruncated).toBe(true);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const started = Date.now();
    // the grandchild keeps stdout open: the result only settles once it is dead too
    const res = await runProcess('sh', ['-c', 'sleep 30 & sleep 30'], { timeoutMs: 200 });
    expect(res.timedOut).toBe(true);
    expect(res.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    const p = startProcess('sleep', ['30'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const res = await p.result;
    expect(res.aborted).toBe(true);
  });

  it('reports a command that cannot start instead of throwing', async () => {
    const res = await runProcess('/nonexistent/binary', []);
    expect(res.spawnError).toMatch(/ENOENT/);
    expect(res.code).not.toBe(0);
  });

  it('holds a conversation: stdin kept open, extra inputs on fds 3 and up, output streamed', async () => {
    const heard: string[] = [];
    // Echoes fd 3 once, then every stdin line, and keeps nothing (a long-lived child's output).
    const p = startProcess('sh', ['-c', 'cat <&3; while read l; do echo "got $l"; done'], {
      keepStdinOpen: true,
      extraInputs: ['flags from fd 3\n'],
      maxOutputBytes: 0,
      onStdout: (chunk) => heard.push(chunk.toString()),
    });
    await expect.poll(() => heard.join('')).toBe('flags from fd 3\n');
    expect(p.alive()).toBe(true);
    p.stdin?.write('one\n');
    await expect.poll(() => heard.join('')).toContain('got one\n');
    p.kill();
    await p.exited;
    expect(p.alive()).toBe(false);
    expect(p.exitStatus()).toEqual({ code: null, signal: 'SIGKILL' });
    const res = await p.result;
    // Streamed, not kept.
    expect(res.stdout.length).toBe(0);
    expect(res.stdoutTruncated).toBe(true);
  });
});
