// In Debian's Chromium against the real server and kernel: a
// failing variant shows its failed check and hint; the timeline and map views of real runs; the
// contrast of text in both themes; code blocks coloured as C; drafts kept in a signed-in
// student's account across devices.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, launchBrowser, setEditorText } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { buildWeb, removeWebBuild, repoRoot, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'read-file-password';
const template = (file: string) =>
  readFileSync(join(repoRoot, 'bpf-templates', EXERCISE, file), 'utf8');

let server: LabServer;
let browser: LabBrowser;

beforeAll(async () => {
  buildWeb();
  server = await startLabServer();
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  removeWebBuild();
});

async function newPage(b: LabBrowser = browser): Promise<Page> {
  const page = await b.context.newPage();
  page.setDefaultTimeout(90_000);
  return page;
}

async function openExercise(page: Page): Promise<void> {
  await page.goto(`${server.url}/exercises/${EXERCISE}`);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
  await page.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
}

async function runCode(page: Page, code: string): Promise<void> {
  await setEditorText(page, code);
  await page.locator('[data-testid="run-button"]').click();
  await page.locator('[data-testid="run-panel"][data-phase="done"]').waitFor({ timeout: 90_000 });
}

/** WCAG contrast of every sampled element's text against the background it is drawn on. */
async function contrastFailures(page: Page, selectors: string[]): Promise<string[]> {
  return page.evaluate((sels) => {
    const parse = (c: string): [number, number, number, number] => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
    };
    const over = (top: number[], bottom: number[]) =>
      [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // The colour an element is painted on: its own background over its ancestors', down to white.
    const background = (el: Element | null): number[] => {
      const layers: number[][] = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let color = [255, 255, 255];
      for (const layer of layers.reverse()) color = over(layer, [...color, 1]);
      return color;
    };
    const failures: string[] = [];
    for (const sel of sels) {
      const els = Array.from(document.querySelectorAll(sel)).filter(
        (e) => (e as HTMLElement).offsetParent !== null && (e.textContent ?? '').trim() !== '',
      );
      if (els.length === 0) failures.push(`${sel}: nothing visible to measure`);
      for (const el of els.slice(0, 3)) {
        const style = getComputedStyle(el);
        const bg = background(el);
        const fg = over(parse(style.color), [...bg, 1]);
        const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        if (ratio < 4.5) {
          failures.push(
            `${sel} "${(el.textContent ?? '').trim().slice(0, 30)}": ${ratio.toFixed(2)}:1 (${style.color} on rgb(${bg.map(Math.round).join(',')}))`,
          );
        }
      }
    }
    return failures;
  }, selectors);
}

describe('run views, contrast and drafts', { timeout: 400_000 }, () => {
  it('shows the failed check of a failing variant with its hint, and the run in the timeline and maps', async () => {
    const page = await newPage();
    await openExercise(page);
    await runCode(page, template('variants/prefix-compare.bpf.c'));
    expect(await page.locator('[data-testid="verdict"]').getAttribute('data-status')).toBe('fail');
    const failed = page.locator('[data-testid="check-decoys"]');
    expect(await failed.getAttribute('data-status')).toBe('fail');
    expect(await page.locator('[data-testid="check-chunks"]').getAttribute('data-status')).toBe(
      'pass',
    );
    await failed.getByRole('button', { name: 'Show hint' }).click();
    const hint = failed.locator('.hint-text');
    await hint.waitFor();
    expect((await hint.textContent())?.trim().length).toBeGreaterThan(10);

    // The timeline of the real run: the target's own openat, read and close, the captured reads
    // highlighted.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.locator('[data-testid="timeline-row"]').first().waitFor();
    const kinds = await page.locator('[data-testid="timeline-row"] .tl-kind').allTextContents();
    for (const kind of ['open', 'read', 'close']) expect(kinds).toContain(kind);
    expect(
      await page.locator('[data-testid="timeline-row"][data-state="captured"] .badge-pass').count(),
    ).toBeGreaterThan(0);

    // The student's maps, decoded with their field names from BTF.
    await page.getByRole('tab', { name: 'Maps' }).click();
    await page.locator('[data-testid^="map-"]').first().waitFor();
    const mapNames = await page.locator('[data-testid^="map-"] .map-title code').allTextContents();
    expect(mapNames).toEqual(
      expect.arrayContaining(['open_curr_fd_interesting', 'open_interesting_fds']),
    );
    const fields = await page.locator('[data-testid^="map-"] .field-name').allTextContents();
    expect(fields.join(' ')).toMatch(/\bpid\b/);
    await page.close();
  });

  it('marks the reads a variant missed in the timeline', async () => {
    const page = await newPage();
    await openExercise(page);
    // Forgets the fd after its first read: the later chunks of the password go unseen.
    await runCode(page, template('variants/one-shot-fd.bpf.c'));
    expect(await page.locator('[data-testid="check-chunks"]').getAttribute('data-status')).toBe(
      'fail',
    );
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page
      .locator('[data-testid="timeline-row"][data-state="missed"] .badge-fail')
      .first()
      .waitFor();
    expect(
      await page.locator('[data-testid="timeline-row"][data-state="captured"]').count(),
    ).toBeGreaterThan(0);
    await page.close();
  });

  it('colours the C code blocks of the instructions', async () => {
    const page = await newPage();
    await openExercise(page);
    // This exercise's README fences are unlabelled diagrams (left plain); its C is the helper
    // signatures, folded in <details> until the student opens one.
    const helper = page.locator('[data-testid="instructions"] details.helper').first();
    await helper.locator('summary').click();
    const block = helper.locator('code[data-highlight="c"]');
    await block.waitFor();
    // Monaco's colorize wraps tokens in spans with its token classes (mtk1, mtk6, ...).
    await block.locator('span[class^="mtk"]').first().waitFor();
    const colours = await block
      .locator('span[class^="mtk"]')
      .evaluateAll((spans) => new Set(spans.map((s) => getComputedStyle(s).color)).size);
    expect(colours).toBeGreaterThan(1);
    await page.close();
  });

  it('keeps text at WCAG AA contrast (4.5:1) in the light and the dark theme', async () => {
    const page = await newPage();
    await openExercise(page);
    await runCode(page, template('variants/prefix-compare.bpf.c'));
    await page
      .locator('[data-testid="check-decoys"]')
      .getByRole('button', { name: 'Show hint' })
      .click();
    const selectors = [
      '.instructions p',
      '.muted',
      '.eyebrow',
      '.button',
      '.button-primary',
      '.topnav a',
      '.markdown a, .link-button',
      '.badge-pass',
      '.badge-fail',
      '.check-title',
      '.check-message',
      '.hint-text',
      '.tag',
      '.conn',
    ];
    const failures: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      await page.locator('[data-testid="theme-select"]').selectOption(theme);
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      failures.push(...(await contrastFailures(page, selectors)).map((f) => `${theme}: ${f}`));
    }
    await page.locator('[data-testid="theme-select"]').selectOption('system');
    expect(failures).toEqual([]);
    await page.close();
  });

  // The account's draft arrives while the lazy editor is still loading, and the test build
  // (development React, StrictMode) mounts the editor twice: both must end up showing the draft.
  it('saves a signed-in student’s code in their account: another device opens it, the later edit wins', async () => {
    const email = 'drafts-student@lab.test';
    const password = 'a long enough password';
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'apps/server/src/cli/lab.ts'), 'create-instructor', email],
      {
        input: `${password}\n`,
        encoding: 'utf8',
        cwd: repoRoot,
        env: { ...process.env, LAB_DATA_DIR: server.dataDir },
        timeout: 120_000,
      },
    );
    if (cli.status !== 0) throw new Error(`create-instructor failed: ${cli.stderr}`);
    const signIn = async (page: Page) => {
      await page.goto(`${server.url}/`);
      const status = await page.evaluate(
        async ([e, p]) => {
          const me = (await (await fetch('/api/auth/me')).json()) as {
            csrfToken: string;
          };
          const res = await fetch('/api/auth/login', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-csrf-token': me.csrfToken,
            },
            body: JSON.stringify({ email: e, password: p }),
          });
          return res.status;
        },
        [email, password],
      );
      expect(status).toBe(200);
    };

    const laptop = await newPage();
    await signIn(laptop);
    await openExercise(laptop);
    const first = `// typed on the laptop ${Date.now()}\n#include "lab.h"\n`;
    await setEditorText(laptop, first);
    await laptop
      .locator('[data-testid="save-state"]', {
        hasText: 'Saved to your account',
      })
      .waitFor();

    // Another device: its own browser profile, nothing in its local storage.
    const other = await launchBrowser({ colorScheme: 'dark' });
    try {
      const desktop = await newPage(other);
      await signIn(desktop);
      await openExercise(desktop);
      await expect
        .poll(() => editorText(desktop), { timeout: 30_000 })
        .toContain('typed on the laptop');
      const later = `// later, on the desktop ${Date.now()}\n`;
      await setEditorText(desktop, later);
      await desktop
        .locator('[data-testid="save-state"]', {
          hasText: 'Saved to your account',
        })
        .waitFor();
    } finally {
      await other.close();
    }

    // Back on the laptop: a reload shows the desktop's later edit, not the laptop's own older copy.
    await laptop.reload();
    await laptop.locator('[data-testid="code-editor"] .view-lines').waitFor();
    await expect
      .poll(() => editorText(laptop), { timeout: 30_000 })
      .toContain('later, on the desktop');
    await laptop.locator('[data-testid="tab-conflict"]', { hasText: 'another device' }).waitFor();
    await laptop.close();
  });
});
