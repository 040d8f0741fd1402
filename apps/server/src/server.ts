// The lab's HTTP server: the Express app, and WebSocket upgrades through one router to /ws (runs)
// and /lsp (clangd), on the addresses the configuration allows. Used by main.ts and the tests.
import { paths } from '@ebpf-lab/runner';
import { createApp } from './app.ts';
import type { AppDeps } from './app.ts';
import { createClangdBridge, LSP_PATH } from './lsp/clangd-bridge.ts';
import { clientAddress } from './network/client-address.ts';
import type { TrustFn } from './network/client-address.ts';
import { FairShare } from './network/fair-share.ts';
import { listen } from './network/listen.ts';
import { labMode } from './network/mode.ts';
import type { LabMode } from './network/mode.ts';
import { isAllowedOrigin } from './network/origin.ts';
import { createUpgradeRouter } from './network/upgrade-router.ts';
import { RunLifecycle } from './runs/run-lifecycle.ts';
import { RunService } from './runs/run-service.ts';
import { DeskFeed } from './ws/desk-feed.ts';
import { createLabWebSocket, WS_PATH } from './ws/ws-server.ts';

export const SERVER_VERSION = '0.1.0';

export interface LabServer {
  /** The first address it listens on, as a URL. */
  url: string;
  /** Every address it listens on. */
  urls: string[];
  port: number;
  mode: LabMode;
  close(): Promise<void>;
}

export async function startServer(deps: AppDeps): Promise<LabServer> {
  const { config, logger } = deps;
  const mode = labMode(config);
  // Students' runs and instructors' re-runs share one lifecycle and one queue.
  const lifecycle = new RunLifecycle({
    queue: deps.queue,
    runner: deps.runner,
    logger,
    recorder: deps.accounts?.recorder,
  });
  // The live desk hears every run of the lifecycle, and the desk's routes tell it of comments.
  const feed = deps.accounts && new DeskFeed(deps.accounts.store, logger);
  const unfollow = feed?.follow(lifecycle);
  const app = createApp(deps, lifecycle, feed);
  const fairShare = new FairShare(config, Date.now, deps.runShares);
  const runs = new RunService({
    ...deps,
    lifecycle,
    runsPerConnection: config.runsPerConnection,
    fairShare,
    anonymousRuns: mode.anonymousRuns,
  });
  const labSocket = createLabWebSocket({
    runs,
    logger,
    version: SERVER_VERSION,
    fairShare,
    feed,
  });
  const lsp = createClangdBridge({
    includeDir: paths.includeDir,
    logger,
    maxSessions: config.lspSessions,
    maxSessionsPerClient: config.lspSessionsPerClient,
    anonymous: mode.anonymousRuns,
    memoryBytes: config.lspMemoryBytes,
    // No spare clangd waits for sessions that may never start.
    warmSessions: config.lspSessions === 0 ? 0 : config.lspWarmSessions,
  });
  const trust = app.get('trust proxy fn') as TrustFn;
  const onUpgrade = createUpgradeRouter({
    routes: {
      [WS_PATH]: labSocket.handleUpgrade,
      [LSP_PATH]: lsp.handleUpgrade,
    },
    isAllowedOrigin: (origin) => isAllowedOrigin(origin, config.publicUrl),
    clientAddress: (req) => clientAddress(req, trust),
    userFromRequest: deps.accounts?.userFromRequest,
    logger,
  });
  let listening;
  try {
    listening = await listen(app, onUpgrade, config.port, config.host);
  } catch (e) {
    await lsp.close();
    throw e;
  }
  const { servers, port, urls } = listening;
  return {
    url: urls[0],
    urls,
    port,
    mode,
    async close() {
      unfollow?.();
      await lsp.close();
      for (const ws of labSocket.wss.clients) ws.terminate();
      labSocket.wss.close();
      await Promise.all(
        servers.map((server) => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        }),
      );
    },
  };
}
