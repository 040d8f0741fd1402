// The web bundle as the browser fetches it on first load: compressed (by the build where it left a
// .gz, else on the fly), and the hashed assets cacheable for good. The server runs in-process on a
// random port.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunner, exerciseMap } from '../src/create-deps.ts';
import type { LabServer } from '../src/server.ts';
import { startTestServer } from './test-server.ts';

let server: LabServer;
let webDir: string;
// Something shaped like a Monaco chunk: big and repetitive.
const BUNDLE = 'export function f(){return "monaco";}\n'.repeat(20_000);
// A chunk the build gzipped (the .gz beside it), and a style sheet likewise.
const PRECOMPRESSED = 'export const g = () => "editor";\n'.repeat(20_000);
const STYLES = '.monaco-editor { color: red; }\n'.repeat(5_000);

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'lab-static-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(
    join(webDir, 'index.html'),
    `<!doctype html><title>eBPF Lab</title>${'<p>x</p>'.repeat(200)}`,
  );
  writeFileSync(join(webDir, 'assets', 'monaco-abc123.js'), BUNDLE);
  writeFileSync(join(webDir, 'assets', 'editor-def456.js'), PRECOMPRESSED);
  writeFileSync(
    join(webDir, 'assets', 'editor-def456.js.gz'),
    gzipSync(PRECOMPRESSED, { level: 9 }),
  );
  writeFileSync(join(webDir, 'assets', 'editor-def456.css'), STYLES);
  writeFileSync(join(webDir, 'assets', 'editor-def456.css.gz'), gzipSync(STYLES, { level: 9 }));
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
function get(path: string, headers: Record<string, string>, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, unknown>;
    bytes: number;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: body.length, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
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

  it("sends the build's .gz as it is, with the asset's own type, to browsers that accept gzip", async () => {
    const gz = readFileSync(join(webDir, 'assets', 'editor-def456.js.gz'));
    const res = await get('/assets/editor-def456.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(String(res.headers['content-type'])).toMatch(
      /^text\/javascript|^application\/javascript/,
    );
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(String(res.headers['cache-control'])).toContain('immutable');
    // The file's own bytes (level 9), not compression()'s stream of them.
    expect(Number(res.headers['content-length'])).toBe(gz.length);
    expect(res.body.equals(gz)).toBe(true);
    expect(gunzipSync(res.body).toString()).toBe(PRECOMPRESSED);

    const css = await get('/assets/editor-def456.css', { 'accept-encoding': 'gzip' });
    expect(String(css.headers['content-type'])).toMatch(/^text\/css/);
    expect(gunzipSync(css.body).toString()).toBe(STYLES);
  });

  it('answers HEAD for a precompressed asset without a body', async () => {
    const res = await get('/assets/editor-def456.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.bytes).toBe(0);
  });

  it('sends the plain file to a client that does not take gzip, even with a .gz beside it', async () => {
    for (const encoding of ['identity', 'gzip;q=0, identity']) {
      const res = await get('/assets/editor-def456.js', { 'accept-encoding': encoding });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.toString()).toBe(PRECOMPRESSED);
    }
    // Brotli only: compressed on the fly, as before.
    const br = await get('/assets/editor-def456.js', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(PRECOMPRESSED);
  });

  it('serves a .gz only for a file directly in assets/', async () => {
    // .gz files the middleware must never choose: each holds a marker its plain file does not.
    const marker = 'FROM-THE-GZ';
    writeFileSync(join(webDir, 'secret.txt'), 'plain');
    writeFileSync(join(webDir, 'secret.txt.gz'), gzipSync(marker));
    mkdirSync(join(webDir, 'assets', 'sub'), { recursive: true });
    writeFileSync(join(webDir, 'assets', 'sub', 'x.js'), 'plain');
    writeFileSync(join(webDir, 'assets', 'sub', 'x.js.gz'), gzipSync(marker));
    writeFileSync(join(webDir, 'assets', '.hidden'), 'plain');
    writeFileSync(join(webDir, 'assets', '.hidden.gz'), gzipSync(marker));
    for (const path of [
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/sub/x.js',
      '/assets/.hidden',
    ]) {
      const res = await get(path, { 'accept-encoding': 'gzip' });
      const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body;
      expect(body.toString(), path).not.toContain(marker);
    }
  });
});
