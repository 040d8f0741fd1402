// Measurements of the built bundle and the first load, written for `npm run bench` to report.
// Tests record them; they never assert timings.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext } from 'playwright-core';
import { builtWebDir, repoRoot, webRoot } from './lab-server.ts';

export interface BundleSize {
  totalBytes: number;
  totalGzipBytes: number;
  files: { file: string; bytes: number; gzipBytes: number }[];
}

export function measureBundle(dist = builtWebDir() ?? join(webRoot, 'dist')): BundleSize {
  const files: BundleSize['files'] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const data = readFileSync(path);
        files.push({
          file: relative(dist, path),
          bytes: data.length,
          gzipBytes: gzipSync(data, { level: 9 }).length,
        });
      }
    }
  };
  walk(dist);
  files.sort((a, b) => b.gzipBytes - a.gzipBytes);
  return {
    totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    totalGzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
    files,
  };
}

export interface FirstLoad {
  /** Navigation start to the editor created (its `lab:editor-ready` mark), cold cache. */
  timeToInteractiveMs: number;
  domContentLoadedMs: number;
  transferredBytes: number;
}

/** Loads an exercise page in a fresh page of a fresh context (cold cache) and times it. */
export async function measureFirstLoad(context: BrowserContext, url: string): Promise<FirstLoad> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let transferredBytes = 0;
  cdp.on(
    'Network.loadingFinished',
    (e: { encodedDataLength: number }) => (transferredBytes += e.encodedDataLength),
  );
  await page.goto(url);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
  await page.locator('[data-testid="run-button"]:not([disabled])').waitFor();
  await page.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const ready = performance.getEntriesByName('lab:editor-ready')[0];
    return { tti: ready ? ready.startTime : performance.now(), dcl: nav.domContentLoadedEventEnd };
  });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await page.close();
  return {
    timeToInteractiveMs: Math.round(timing.tti),
    domContentLoadedMs: Math.round(timing.dcl),
    transferredBytes,
  };
}

export function writeWebMetrics(metrics: Record<string, unknown>): string {
  const dir = join(repoRoot, 'artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'web-metrics.json');
  writeFileSync(
    path,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), ...metrics }, null, 2)}\n`,
  );
  return path;
}

export const artifactsDir = join(repoRoot, 'artifacts');
