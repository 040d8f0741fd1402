import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LabSocket } from './lab-socket.ts';

/** A real server and client on loopback; the server's side of the connection is returned. */
async function connect(): Promise<{ server: LabSocket; client: WebSocket; close(): void }> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, WebSocket: LabSocket });
  const accepted = new Promise<LabSocket>((resolve) =>
    http.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        (ws as LabSocket).transport = socket;
        resolve(ws as LabSocket);
      }),
    ),
  );
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  await new Promise((r, reject) => {
    client.once('open', r);
    client.once('error', reject);
  });
  const server = await accepted;
  return {
    server,
    client,
    close: () => {
      client.terminate();
      wss.close();
      http.close();
    },
  };
}

describe('LabSocket.sendInTurn', () => {
  let close = () => {};
  afterEach(() => close());

  it('sends the frames of one turn in one write, each apart and in order', async () => {
    const c = await connect();
    close = c.close;
    const socket = c.server.transport as Socket;
    let writes = 0;
    const write = socket._write.bind(socket);
    const writev = socket._writev!.bind(socket);
    socket._write = (...args) => (writes++, write(...args));
    socket._writev = (...args) => (writes++, writev(...args));

    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      c.client.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 20) resolve();
      }),
    );
    for (let i = 0; i < 10; i++) c.server.sendInTurn(JSON.stringify({ n: i }));
    // Promise jobs of the same turn join the same write.
    await Promise.resolve();
    for (let i = 10; i < 20; i++) c.server.sendInTurn(JSON.stringify({ n: i }));
    await all;
    expect(received.map((m) => (JSON.parse(m) as { n: number }).n)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(writes).toBe(1);
  });

  it('sends what comes in a later turn in a write of its own', async () => {
    const c = await connect();
    close = c.close;
    const received: string[] = [];
    c.client.on('message', (data) => received.push(data.toString()));
    c.server.sendInTurn('"first"');
    await new Promise((r) => setImmediate(r));
    await expect.poll(() => received).toEqual(['"first"']);
    c.server.sendInTurn('"second"');
    await expect.poll(() => received).toEqual(['"first"', '"second"']);
  });

  it('sends what this turn sent before a connection is cut at once', async () => {
    const c = await connect();
    close = c.close;
    const received: string[] = [];
    c.client.on('message', (data) => received.push(data.toString()));
    const closed = new Promise((r) => c.client.once('close', r));
    c.server.sendInTurn('"last words"');
    c.server.terminate();
    await closed;
    expect(received).toEqual(['"last words"']);
  });
});
