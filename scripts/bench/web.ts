// The web app's first load, as a student meets it: the built bundle's size as the server sends it
// (gzip), and cold loads of an exercise page in Debian's Chromium (a fresh profile each time, the
// cache off), from navigation until the editor has shown a keystroke typed into it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { timing } from './compile.ts';
import type { Timing } from './compile.ts';

export const CHROMIUM = '/usr/bin/chromium';

export interface BundleSize {
  bytes: number;
  /**
   * Each file as the server sends it gzipped: the build's own `.gz` of it where there is one, else
   * gzipped at zlib's default level, as the server's compression does.
   */
  gzipBytes: number;
  largest: { file: string; gzipBytes: number }[];
}

export function measureBundle(dist: string): BundleSize {
  const files: { file: string; bytes: number; gzipBytes: number }[] = [];
  const walk = (dir: string) => {
    const names = new Set(readdirSync(dir));
    for (const name of names) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!(name.endsWith('.gz') && names.has(name.slice(0, -3)))) {
        const data = readFileSync(path);
        files.push({
          file: path.slice(dist.length + 1),
          bytes: data.length,
          gzipBytes: names.has(`${name}.gz`) ? statSync(`${path}.gz`).size : gzipSync(data).length,
        });
      }
    }
  };
  walk(dist);
  files.sort((a, b) => b.gzipBytes - a.gzipBytes);
  return {
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
    largest: files.slice(0, 5).map(({ file, gzipBytes }) => ({ file, gzipBytes })),
  };
}

/** Typed into the editor; no starter holds it. */
const KEYSTROKE = 'Qz';

export interface FirstLoad {
  /** Navigation start to the typed keystroke shown in the editor. */
  interactiveMs: number;
  /** Navigation start to the editor created (the page's `lab:editor-ready` mark). */
  editorReadyMs: number;
  /** Bytes over the network for the whole load. */
  transferredBytes: number;
}

/** One cold load in a fresh browser profile. */
async function coldLoad(url: string): Promise<FirstLoad> {
  const profile = mkdtempSync(join(tmpdir(), 'ebpf-lab-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let transferredBytes = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      transferredBytes += e.encodedDataLength;
    });
    // The moment the keystroke is on screen, taken by the page itself as it happens.
    await page.addInitScript((mark: string) => {
      const w = window as unknown as { labTypedAt?: number };
      new MutationObserver((_, observer) => {
        const lines = document.querySelector('[data-testid="code-editor"] .view-lines');
        if (lines?.textContent?.includes(mark)) {
          w.labTypedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    }, KEYSTROKE);
    await page.goto(url);
    // As soon as the editor is there, type into it, where a student would click.
    await page.locator('[data-testid="code-editor"] .view-lines').click();
    await page.keyboard.type(KEYSTROKE);
    await page.waitForFunction(() => (window as { labTypedAt?: number }).labTypedAt !== undefined);
    const t = await page.evaluate(() => ({
      typed: (window as { labTypedAt?: number }).labTypedAt ?? 0,
      ready: performance.getEntriesByName('lab:editor-ready')[0]?.startTime ?? 0,
    }));
    return {
      interactiveMs: Math.round(t.typed),
      editorReadyMs: Math.round(t.ready),
      transferredBytes,
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface WebResult {
  /** Median of the cold loads. */
  interactiveMs: number;
  interactive: Timing;
  editorReadyMs: number;
  transferredBytes: number;
  bundleBytes: number;
  bundleGzipBytes: number;
  largest: BundleSize['largest'];
  loadAverage: number[];
}

export async function measureWeb(
  serverUrl: string,
  dist: string,
  exerciseId: string,
  loads: number,
): Promise<WebResult> {
  const bundle = measureBundle(dist);
  const samples: FirstLoad[] = [];
  for (let i = 0; i < loads; i++)
    samples.push(await coldLoad(`${serverUrl}/exercises/${exerciseId}`));
  const interactive = timing(samples.map((s) => s.interactiveMs));
  const middle = [...samples].sort((a, b) => a.interactiveMs - b.interactiveMs)[
    Math.floor((samples.length - 1) / 2)
  ];
  return {
    interactiveMs: interactive.medianMs,
    interactive,
    editorReadyMs: middle.editorReadyMs,
    transferredBytes: middle.transferredBytes,
    bundleBytes: bundle.bytes,
    bundleGzipBytes: bundle.gzipBytes,
    largest: bundle.largest,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
