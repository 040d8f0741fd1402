// The runner's side of a forked run, against stand-in resident processes (Node servers speaking
// the protocol of native/loader/forked-runs.h): the output split anywhere, the exit status, the
// output caps, and every way the resident process can fail to take or finish a run.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoaderLine } from '@ebpf-lab/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startForkedRun } from './forked-run.ts';
import { standInConfig } from '../../test/fixtures/stand-in-config.ts';
import { LOADER_OUTPUT_LIMIT, runLoader } from './index.ts';

const work = mkdtempSync(join(tmpdir(), 'forked-run-'));
let servers: Server[] = [];
let sleepers: ChildProcess[] = [];
let connections: Socket[] = [];
let seq = 0;

afterEach(async () => {
  for (const s of sleepers) s.kill('SIGKILL');
  sleepers = [];
  for (const c of connections) c.destroy();
  connections = [];
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A process standing for the forked child: its own process group, as the real one. */
function standInChild(): ChildProcess {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  sleepers.push(child);
  return child;
}

/** A stand-in resident process: `serve` gets each connection once its config has arrived. */
async function residentStandIn(serve: (socket: Socket, config: string) => void): Promise<string> {
  const path = join(work, `runs-${++seq}.sock`);
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    let config = '';
    connections.push(socket);
    socket.on('data', (c: Buffer) => (config += c.toString('utf8')));
    socket.on('end', () => serve(socket, config));
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}

const config = standInConfig(`forked-run-${process.pid}`);

/**
 * Writes the pieces one by one, each in its own write, as the kernel may hand them over; then
 * ends the stream unless `hold` (the resident process keeps it open until the client closes).
 */
async function dribble(
  socket: Socket,
  pieces: (string | Buffer)[],
  { hold = false } = {},
): Promise<void> {
  for (const p of pieces) {
    await new Promise<void>((r) => socket.write(p, () => r()));
    await new Promise((r) => setImmediate(r));
  }
  if (!hold) socket.end();
}

describe('a run forked by the resident process', () => {
  it('reads the pid, the lines and the exit status wherever the stream is cut', async () => {
    const child = standInChild();
    const status = JSON.stringify({ code: 1, signal: null, stderr: 'libbpf: 😀 no BTF' });
    const stream = Buffer.from(
      `run ${child.pid}\n{"type":"scenario_start","scenario":"main"}\n{"type":"done"}\n\0${status}\n`,
    );
    let received = '';
    const path = await residentStandIn((socket, cfg) => {
      received = cfg;
      // cut everywhere: inside the header, a line, a multi-byte character, at the NUL; the
      // connection held open after the status line, as the resident process holds it until the
      // client closes (the child unreaped until then)
      const pieces: Buffer[] = [];
      for (let i = 0; i < stream.length; i += 7) pieces.push(stream.subarray(i, i + 7));
      void dribble(socket, pieces, { hold: true });
    });
    let stdout = '';
    const proc = await startForkedRun(path, '{"the":"config"}', {
      maxOutputBytes: 1024,
      onStdout: (c) => (stdout += c.toString('utf8')),
    });
    expect(received).toBe('{"the":"config"}');
    if (typeof proc === 'string') throw new Error(`no run: ${proc}`);
    expect(proc.pid).toBe(child.pid);
    const res = await proc.result;
    expect(stdout).toBe('{"type":"scenario_start","scenario":"main"}\n{"type":"done"}\n');
    expect(res).toMatchObject({
      code: 1,
      signal: null,
      timedOut: false,
      aborted: false,
      stderr: Buffer.from('libbpf: 😀 no BTF'),
    });
  });

  it('takes no run when the resident process is busy, unreachable or says nothing, and says which', async () => {
    const options = { maxOutputBytes: 1024, onStdout: () => {} };
    const busy = await residentStandIn((s) => s.end('busy every run slot is taken\n'));
    expect(await startForkedRun(busy, '{}', options)).toBe('busy');
    expect(await startForkedRun(join(work, 'nobody.sock'), '{}', options)).toBe('unavailable');
    const silent = await residentStandIn((s) => s.end());
    expect(await startForkedRun(silent, '{}', options)).toBe('unavailable');
    const garbage = await residentStandIn((s) => s.end(Buffer.alloc(4096, 'x')));
    expect(await startForkedRun(garbage, '{}', options)).toBe('unavailable');
  });

  it('gives up on a resident process that never says whether it took the run', async () => {
    let held: Socket | undefined;
    // a hung resident process: it reads the config and never answers
    const hung = await residentStandIn((s) => (held = s));
    const options = { maxOutputBytes: 1024, onStdout: () => {} };
    expect(await startForkedRun(hung, '{}', options)).toBe('unavailable');
    // the connection is gone: a child it started late would be killed on its hang-up
    const gone = new Promise<void>((r) => held?.once('close', () => r()));
    held?.write('run 1\n');
    await gone;
  }, 20_000);

  it('falls back to a loader started from Node when the resident process is busy', async () => {
    const busy = await residentStandIn((s) => s.end('busy every run slot is taken\n'));
    const lines: LoaderLine[] = [];
    let forked: boolean | undefined;
    const loader = join(work, 'loader.sh');
    writeFileSync(loader, '#!/bin/sh\ncat >/dev/null\necho \'{"type":"done"}\'\n');
    chmodSync(loader, 0o755);
    await runLoader(config, (l) => lines.push(l), undefined, {
      loaderPath: loader,
      runSocket: busy,
      onSpawn: (_p, f) => (forked = f),
    });
    expect(forked).toBe(false);
    expect(lines).toEqual([{ type: 'done' }]);
  });

  it('stops a run at a 40 MB line: names the limit and kills the child', async () => {
    const child = standInChild();
    const exited = new Promise<string | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    const path = await residentStandIn((socket) => {
      socket.write(`run ${child.pid}\n{"type":"scenario_start","scenario":"main"}\n`);
      const chunk = Buffer.alloc(1 << 20, 'x');
      let sent = 0;
      const more = () => {
        while (sent < 40 && socket.write(chunk)) sent++;
        if (sent < 40 && !socket.destroyed) socket.once('drain', more);
      };
      more();
      // as the resident process does once its child is gone
      child.on('exit', () =>
        socket.end(`\0${JSON.stringify({ code: null, signal: 'SIGKILL', stderr: '' })}`),
      );
      socket.on('error', () => {});
    });
    const lines: LoaderLine[] = [];
    await runLoader(config, (l) => lines.push(l), undefined, { runSocket: path });
    expect(lines[0]).toEqual({ type: 'scenario_start', scenario: 'main' });
    expect(lines[1]).toMatchObject({ type: 'limit', name: LOADER_OUTPUT_LIMIT });
    expect(lines).toHaveLength(2);
    expect(await exited).toBe('SIGKILL');
  });

  it('fails the run, saying so, when the resident process ends without the exit status', async () => {
    const child = standInChild();
    const path = await residentStandIn((socket) =>
      socket.end(`run ${child.pid}\n{"type":"scenario_start","scenario":"main"}\n`),
    );
    const lines: LoaderLine[] = [];
    await expect(
      runLoader(config, (l) => lines.push(l), undefined, { runSocket: path }),
    ).rejects.toThrow(/without reporting done; stderr: the resident process ended during the run/);
    expect(lines).toEqual([{ type: 'scenario_start', scenario: 'main' }]);
  });

  it('kills the child at the watchdog, and gives up on a resident process that never answers', async () => {
    const child = standInChild();
    const exited = new Promise<string | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    // it reports the start, then neither the child's exit nor anything else
    const path = await residentStandIn((socket) => socket.write(`run ${child.pid}\n`));
    await expect(
      runLoader(config, () => {}, undefined, { runSocket: path, timeoutMs: 200 }),
    ).rejects.toThrow(/^loader timed out without reporting done/);
    // killed by its pid; the run ended although the resident process never confirmed it
    expect(await exited).toBe('SIGKILL');
  });
});
