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

/** Counts the writes that reach the connection under the server's side. */
function countWrites(server: LabSocket): () => number {
  const socket = server.transport as Socket;
  let writes = 0;
  const write = socket._write.bind(socket);
  const writev = socket._writev!.bind(socket);
  socket._write = (...args) => (writes++, write(...args));
  socket._writev = (...args) => (writes++, writev(...args));
  return () => writes;
}

function receive(client: WebSocket): string[] {
  const received: string[] = [];
  client.on('message', (data) => received.push(data.toString()));
  return received;
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('LabSocket.sendGathered', () => {
  let close = () => {};
  afterEach(() => close());

  it('sends the frames of one turn in one write, each apart and in order', async () => {
    const c = await connect();
    close = c.close;
    const writes = countWrites(c.server);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      c.client.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 20) resolve();
      }),
    );
    for (let i = 0; i < 10; i++) c.server.sendGathered(JSON.stringify({ n: i }), false);
    // Promise jobs of the same turn join the same write.
    await Promise.resolve();
    for (let i = 10; i < 20; i++) c.server.sendGathered(JSON.stringify({ n: i }), false);
    await all;
    expect(received.map((m) => (JSON.parse(m) as { n: number }).n)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(writes()).toBe(1);
  });

  it('sends what nothing waits for in a later turn in a write of its own', async () => {
    const c = await connect();
    close = c.close;
    const received = receive(c.client);
    c.server.sendGathered('"first"', false);
    await nextTurn();
    await expect.poll(() => received).toEqual(['"first"']);
    c.server.sendGathered('"second"', false);
    await expect.poll(() => received).toEqual(['"first"', '"second"']);
  });

  it('holds frames that may wait, over several turns, until one that may not goes with them', async () => {
    const c = await connect();
    close = c.close;
    const writes = countWrites(c.server);
    const received = receive(c.client);
    // Waiting frames of three turns of the event loop; the one that may not wait closes the
    // write at the end of its own turn (long before GATHER_MS, however loaded the machine).
    c.server.sendGathered('"stage"', true);
    await nextTurn();
    c.server.sendGathered('"event"', true);
    await nextTurn();
    c.server.sendGathered('"check"', true);
    await nextTurn();
    c.server.sendGathered('"result"', false);
    await expect.poll(() => received).toEqual(['"stage"', '"event"', '"check"', '"result"']);
    expect(writes()).toBe(1);
  });

  it('sends a frame that may wait by itself once nothing joins it', async () => {
    const c = await connect();
    close = c.close;
    const received = receive(c.client);
    c.server.sendGathered('"alone"', true);
    await expect.poll(() => received).toEqual(['"alone"']);
    c.server.sendGathered('"later"', true);
    await expect.poll(() => received).toEqual(['"alone"', '"later"']);
  });

  it('sends what was held before a connection is cut at once', async () => {
    const c = await connect();
    close = c.close;
    const received = receive(c.client);
    const closed = new Promise((r) => c.client.once('close', r));
    c.server.sendGathered('"held"', true);
    c.server.sendGathered('"last words"', false);
    c.server.terminate();
    await closed;
    expect(received).toEqual(['"held"', '"last words"']);
  });

  it('sends what was held before a close frame', async () => {
    const c = await connect();
    close = c.close;
    const received = receive(c.client);
    const closed = new Promise<number>((r) => c.client.once('close', (code) => r(code)));
    c.server.sendGathered('"held"', true);
    c.server.close(1000, 'bye');
    expect(await closed).toBe(1000);
    expect(received).toEqual(['"held"']);
  });
});
