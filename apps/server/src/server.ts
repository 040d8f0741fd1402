// One port for HTTP and the WebSocket. Used by main.ts and by the tests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { AppDeps } from './app.ts';
import { RunService } from './runs/run-service.ts';
import { attachWebSocket } from './ws/ws-server.ts';
import { paths } from '@ebpf-lab/runner';
import { attachClangdBridge } from './lsp/clangd-bridge.ts';

export const SERVER_VERSION = '0.1.0';

export interface LabServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(deps: AppDeps): Promise<LabServer> {
  const server = createServer(createApp(deps));
  // Accounts (issue 7): every run is stored, under the user of the session cookie.
  const runs = new RunService({ ...deps, runsPerConnection: deps.config.runsPerConnection, recorder: deps.accounts?.runs });
  const wss = attachWebSocket(server, {
    runs,
    logger: deps.logger,
    version: SERVER_VERSION,
    userFromRequest: deps.accounts?.userFromRequest,
  });
  // --- diagnostics engineer: clangd for as-you-type diagnostics on /lsp (after /ws is attached).
  const lsp = attachClangdBridge(server, { includeDir: paths.includeDir, logger: deps.logger });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = deps.config.host === '0.0.0.0' ? 'localhost' : deps.config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      await lsp.close(); // diagnostics engineer: kills every clangd
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
