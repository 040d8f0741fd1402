// The web app's first load, as a student meets it: the built bundle's size as the server sends it
// (gzip), and cold loads of an exercise page in Debian's Chromium (a fresh profile each time, the
// cache off), from navigation until the code editor the student sees (the quick editor, or Monaco
// once it has taken over) has shown a keystroke typed into it, and until Monaco has.
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

/** Typed into the editor as soon as there is one, then into Monaco; no starter holds them. */
const KEYSTROKE = 'Qz';
const MONACO_KEYSTROKE = 'Wq';

export interface FirstLoad {
  /** Navigation start to the typed keystroke shown in the code editor showing (either). */
  interactiveMs: number;
  /** Which editor showed it: `quick` or `monaco`. */
  interactiveEditor: string;
  /** Navigation start to a keystroke typed into Monaco shown in it. */
  monacoInteractiveMs: number;
  /** Navigation start to the editor created (the page's `lab:editor-ready` mark). */
  editorReadyMs: number;
  /** Bytes over the network for the whole load. */
  transferredBytes: number;
}

/** What the page records of a cold load (set by the bench's init script). */
interface FirstLoadMarks {
  labEditorShown: Promise<void>;
  labTypedShown: Promise<void>;
  /** When the first keystroke showed, and in which editor. */
  labTyped?: [number, string];
  labMonacoTypedAt?: number;
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
    // The moments the keystrokes are on screen, taken by the page itself as they happen. Both
    // editors mark the element showing the text with `data-code-view`. The page also says when
    // the first editor is there (`labEditorShown`) and when the first keystroke shows
    // (`labTypedShown`), so the bench waits for them without Playwright's selector engine: its
    // injected script (hundreds of kB, evaluated on the page's main thread the first time a
    // locator or waitForFunction is used) held up the very load it measured, which a student's
    // browser never runs.
    await page.addInitScript(
      ([mark, monacoMark]: string[]) => {
        const w = window as unknown as FirstLoadMarks;
        let editorShown: () => void;
        let typedShown: () => void;
        w.labEditorShown = new Promise<void>((resolve) => (editorShown = resolve));
        w.labTypedShown = new Promise<void>((resolve) => (typedShown = resolve));
        new MutationObserver((_, observer) => {
          if (document.querySelector('[data-code-editor]')) editorShown();
          for (const view of document.querySelectorAll('[data-code-editor] [data-code-view]')) {
            const editor = view.closest<HTMLElement>('[data-code-editor]')!.dataset.codeEditor!;
            if (!w.labTyped && view.textContent?.includes(mark!)) {
              w.labTyped = [performance.now(), editor];
              typedShown();
            }
            if (editor === 'monaco' && view.textContent?.includes(monacoMark!))
              w.labMonacoTypedAt = performance.now();
          }
          if (w.labTyped && w.labMonacoTypedAt !== undefined) observer.disconnect();
        }).observe(document, { childList: true, subtree: true, characterData: true });
      },
      [KEYSTROKE, MONACO_KEYSTROKE],
    );
    // Not waiting for the load event: the page is usable before Monaco's chunk has arrived.
    await page.goto(url, { waitUntil: 'commit' });
    // As soon as an editor is on screen (laid out in the next frame), click into it where a
    // student would, in its middle, and type.
    const target = await page.evaluate(async () => {
      const w = window as unknown as FirstLoadMarks;
      await w.labEditorShown;
      await new Promise(requestAnimationFrame);
      const box = document.querySelector('[data-code-editor]')!.getBoundingClientRect();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    });
    await page.mouse.click(target.x, target.y);
    await page.keyboard.type(KEYSTROKE);
    await page.evaluate(() => (window as unknown as FirstLoadMarks).labTypedShown);
    // Then into Monaco, as soon as it is there (straight away when it took the first keystroke).
    await page.locator('[data-code-editor="monaco"] [data-code-view]').click();
    await page.keyboard.type(MONACO_KEYSTROKE);
    await page.waitForFunction(
      () => (window as { labMonacoTypedAt?: number }).labMonacoTypedAt !== undefined,
    );
    const t = await page.evaluate(() => {
      const w = window as unknown as FirstLoadMarks;
      return {
        typed: w.labTyped![0],
        editor: w.labTyped![1],
        monacoTyped: w.labMonacoTypedAt ?? 0,
        ready: performance.getEntriesByName('lab:editor-ready')[0]?.startTime ?? 0,
      };
    });
    return {
      interactiveMs: Math.round(t.typed),
      interactiveEditor: t.editor,
      // Monaco took the first keystroke: that was its first keystroke shown.
      monacoInteractiveMs: Math.round(t.editor === 'monaco' ? t.typed : t.monacoTyped),
      editorReadyMs: Math.round(t.ready),
      transferredBytes,
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface WebResult {
  /** Median of the cold loads: a keystroke shown in the code editor the student sees. */
  interactiveMs: number;
  interactive: Timing;
  /** Which editor showed the keystroke, per load (`quick` or `monaco`). */
  interactiveEditors: string[];
  /** Median of the cold loads: a keystroke typed into Monaco shown in it. */
  monacoInteractiveMs: number;
  monacoInteractive: Timing;
  /** Monaco created (the `lab:editor-ready` mark), in the median load. */
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
  const monacoInteractive = timing(samples.map((s) => s.monacoInteractiveMs));
  const middle = [...samples].sort((a, b) => a.interactiveMs - b.interactiveMs)[
    Math.floor((samples.length - 1) / 2)
  ];
  return {
    interactiveMs: interactive.medianMs,
    interactive,
    interactiveEditors: samples.map((s) => s.interactiveEditor),
    monacoInteractiveMs: monacoInteractive.medianMs,
    monacoInteractive,
    editorReadyMs: middle.editorReadyMs,
    transferredBytes: middle.transferredBytes,
    bundleBytes: bundle.bytes,
    bundleGzipBytes: bundle.gzipBytes,
    largest: bundle.largest,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
