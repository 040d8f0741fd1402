// Measures what a student waits for: from opening /lsp to clangd's first diagnostics, with a
// cold clangd (no spare) and with a warm spare, through the real bridge and sandbox, on the
// flagship exercise's starter. A measurement, not a test (timings belong to `npm run bench`):
//
//   npx tsx apps/server/src/lsp/measure-first-diagnostics.ts [rounds]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { paths } from '@ebpf-lab/runner';
import { WebSocket } from 'ws';

import { createClangdBridge, LSP_PATH } from './clangd-bridge.ts';

interface Rpc {
  id?: number;
  method?: string;
  params?: { diagnostics?: unknown[] };
}

/** Connects, initializes, opens `text`; resolves with ms to the first diagnostics. */
async function firstDiagnostics(url: string, text: string): Promise<number> {
  const ws = new WebSocket(url);
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const done = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no diagnostics within 180 s')), 180_000);
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Rpc;
      if (msg.id === 1) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} }));
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            method: 'textDocument/didOpen',
            params: {
              textDocument: { uri: 'file:///student.bpf.c', languageId: 'c', version: 1, text },
            },
          }),
        );
      }
      if (msg.method === 'textDocument/publishDiagnostics') {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
  });
  ws.send(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } }),
  );
  try {
    return await done;
  } finally {
    ws.close();
  }
}

async function measure(warmSessions: number, rounds: number, text: string): Promise<number[]> {
  const bridge = createClangdBridge({ includeDir: paths.includeDir, warmSessions });
  const server = createServer().on('upgrade', (req, socket, head) =>
    bridge.handleUpgrade(req, socket, head, { user: null, address: '127.0.0.1' }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${LSP_PATH}`;
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      // A student arrives once the spare is ready (each session starts the next spare).
      await bridge.warmed();
      times.push(await firstDiagnostics(url, text));
    }
  } finally {
    await bridge.close();
    server.close();
  }
  return times;
}

const rounds = Number(process.argv[2] ?? 3);
const starter = readFileSync(
  join(paths.templatesDir, 'read-file-password', 'starter.bpf.c'),
  'utf8',
);
const show = (ms: number[]) => ms.map((m) => `${Math.round(m)} ms`).join(', ');
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`cold clangd (no spare): ${show(await measure(0, rounds, starter))}`);
console.log(`warm spare:             ${show(await measure(1, rounds, starter))}`);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
