// The web bundle as the browser fetches it on first load: compressed, and the hashed assets
// cacheable for good. The server runs in-process on a random port.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunner, exerciseMap } from '../src/create-deps.ts';
import type { LabServer } from '../src/server.ts';
import { startTestServer } from './test-server.ts';

let server: LabServer;
let webDir: string;
// Something shaped like a Monaco chunk: big and repetitive.
const BUNDLE = 'export function f(){return "monaco";}\n'.repeat(20_000);

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'lab-static-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(
    join(webDir, 'index.html'),
    `<!doctype html><title>eBPF Lab</title>${'<p>x</p>'.repeat(200)}`,
  );
  writeFileSync(join(webDir, 'assets', 'monaco-abc123.js'), BUNDLE);
  const exercises = exerciseMap();
  server = await startTestServer({
    dir: webDir,
    exercises,
    runner: buildRunner(exercises, pino({ level: 'silent' })),
    runnerKind: 'default',
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(webDir, { recursive: true, force: true });
});

/** A raw GET (fetch would decompress and hide the encoding and the bytes on the wire). */
function get(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; bytes: number }>(
    (resolve, reject) => {
      const req = request(`${server.url}${path}`, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('static assets', () => {
  it('sends the bundle gzip-compressed to browsers that accept it', async () => {
    const res = await get('/assets/monaco-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toMatch(/gzip|br|deflate/);
    expect(res.bytes).toBeLessThan(BUNDLE.length / 10);
    expect(String(res.headers['cache-control'])).toContain('immutable');
  });

  it('sends it plain to a client that does not accept compression', async () => {
    const res = await get('/assets/monaco-abc123.js', { 'accept-encoding': 'identity' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.bytes).toBe(BUNDLE.length);
  });

  it('compresses the app page but does not let browsers keep it (it names the current bundle)', async () => {
    const res = await get('/exercises/anything', { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(String(res.headers['cache-control'] ?? '')).not.toContain('immutable');
  });
});
