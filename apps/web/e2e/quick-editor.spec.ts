// The quick editor a first load shows while Monaco's chunk is held back: the student types in it,
// then Monaco takes over with exactly that text, the caret where it was and the focus, the text
// in the same place on screen, and goes on taking keys. A Monaco that never loads leaves the
// quick editor working, with the failure said.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, launchBrowser, savedCode, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { artifactsDir, buildWeb, removeWebBuild, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'read-file-password';
const MONACO_CHUNK = /\/assets\/monaco-[^/]*\.js$/;

let server: LabServer;
let browser: LabBrowser;

beforeAll(async () => {
  buildWeb();
  server = await startLabServer();
  mkdirSync(artifactsDir, { recursive: true });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  removeWebBuild();
});

/** Holds Monaco's chunk until `release` (or answers it with an error, for `fail`). */
async function holdMonaco(page: Page) {
  let answer: (how: 'continue' | 'abort') => void = () => {};
  const decided = new Promise<'continue' | 'abort'>((resolve) => (answer = resolve));
  let requested = false;
  await page.route(MONACO_CHUNK, async (route: Route) => {
    requested = true;
    if ((await decided) === 'continue') await route.continue();
    else await route.abort('failed');
  });
  return {
    requested: () => requested,
    release: () => answer('continue'),
    fail: () => answer('abort'),
  };
}

/** The caret's line and column (1-based) in Monaco, read through its hidden textarea or status. */
async function quickCaret(page: Page) {
  return page.evaluate(() => {
    const area = document.querySelector<HTMLTextAreaElement>('[data-testid="quick-editor-input"]')!;
    const before = area.value.slice(0, area.selectionStart);
    const lines = before.split('\n');
    return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
  });
}

/** Text as Monaco draws it: each tab as spaces to the next stop of 4. */
function asDrawn(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.replace(/[^\t]*\t/g, (run) =>
        run.slice(0, -1).padEnd((Math.floor((run.length - 1) / 4) + 1) * 4),
      ),
    )
    .join('\n');
}

/** Where the first code line's first character is drawn, in either editor. */
async function firstLineBox(page: Page) {
  return page.evaluate(() => {
    const view = document.querySelector('[data-code-editor] [data-code-view]')!;
    const line = view.classList.contains('view-lines')
      ? Array.from(view.querySelectorAll<HTMLElement>('.view-line')).sort(
          (a, b) => parseFloat(a.style.top) - parseFloat(b.style.top),
        )[0]!
      : view.firstElementChild!;
    const range = document.createRange();
    const text = document.createTreeWalker(line, NodeFilter.SHOW_TEXT).nextNode()!;
    range.setStart(text, 0);
    range.setEnd(text, 1);
    const box = range.getBoundingClientRect();
    return { x: box.x, y: box.y, height: box.height };
  });
}

/**
 * The colour of each character drawn in the first lines of either editor, whitespace left out
 * (Monaco draws a tab as spaces).
 */
async function colours(page: Page, lines: number) {
  return page.evaluate((count) => {
    const view = document.querySelector('[data-code-editor] [data-code-view]')!;
    const rows = view.classList.contains('view-lines')
      ? Array.from(view.querySelectorAll<HTMLElement>('.view-line')).sort(
          (a, b) => parseFloat(a.style.top) - parseFloat(b.style.top),
        )
      : Array.from(view.children);
    return rows.slice(0, count).map((row) => {
      const out: string[] = [];
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const colour = getComputedStyle(node.parentElement!).color;
        for (const c of node.textContent ?? '') if (!/\s/.test(c)) out.push(`${c}${colour}`);
      }
      return out.join(' ');
    });
  }, lines);
}

describe('the quick editor while Monaco loads', { timeout: 240_000 }, () => {
  it('takes typing, Tab and selection, then hands text, caret and focus to Monaco', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(90_000);
    const errors = watchErrors(page);
    const monaco = await holdMonaco(page);
    await page.goto(`${server.url}/exercises/${EXERCISE}`, { waitUntil: 'commit' });

    const input = page.getByTestId('quick-editor-input');
    await input.waitFor();
    expect(await input.getAttribute('aria-label')).toContain('Program source (C)');
    await expect.poll(() => monaco.requested()).toBe(true);
    // Run works on the quick editor's text: it is the code the page saves and sends.
    await page.locator('[data-testid="run-button"]:not([disabled])', { hasText: 'Run' }).waitFor();

    // Type at the end of the first line, then a new indented line with Tab.
    await input.click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.press('End');
    await page.keyboard.type(' // quick');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('int typed_here;');
    const typed = await input.inputValue();
    const lines = typed.split('\n');
    expect(lines[0]).toMatch(/ \/\/ quick$/);
    expect(lines[1]).toBe('\tint typed_here;');
    // Shown coloured (the keyword as Monaco colours it), and saved as typed.
    await page
      .locator('[data-code-editor="quick"] [data-code-view] .qt-keyword', { hasText: 'int' })
      .first()
      .waitFor();
    await expect.poll(() => savedCode(page, EXERCISE)).toBe(typed);
    // Select "typed_here" backwards: the caret at its start.
    for (let i = 0; i < 1; i++) await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 'typed_here'.length; i++) await page.keyboard.press('Shift+ArrowLeft');
    const caret = await quickCaret(page);
    expect(caret).toEqual({ line: 2, column: '\tint '.length + 1 });
    const before = await firstLineBox(page);
    const quickColours = await colours(page, 20);
    await page.screenshot({ path: join(artifactsDir, 'quick-editor-before-monaco.png') });

    monaco.release();
    await page.locator('[data-code-editor="monaco"] .view-lines').waitFor();
    await expect.poll(() => page.getByTestId('quick-editor').count()).toBe(0);
    // The text typed (Monaco draws the lines in view; the whole text is checked below, through
    // what it saves after the next edit), the same selection, still focused, in the same place.
    const shown = await editorText(page);
    expect(shown.split('\n').length).toBeGreaterThan(5);
    expect(asDrawn(typed).startsWith(shown)).toBe(true);
    const focused = await page.evaluate(
      () => document.activeElement?.closest('[data-code-editor="monaco"]') !== null,
    );
    expect(focused).toBe(true);
    const after = await firstLineBox(page);
    // Every character keeps its colour (Monaco colours in the frame after it is created).
    await expect.poll(() => colours(page, 20)).toEqual(quickColours);
    expect(Math.abs(after.x - before.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(after.y - before.y)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(artifactsDir, 'quick-editor-after-monaco.png') });

    // The selection carried over: typing replaces "typed_here", and Monaco goes on taking keys.
    await page.keyboard.type('from_monaco');
    const edited = typed.replace('typed_here', 'from_monaco');
    await expect.poll(() => savedCode(page, EXERCISE)).toBe(edited);
    expect(asDrawn(edited).startsWith(await editorText(page))).toBe(true);
    expect(errors.filter((e) => !/net::ERR_ABORTED/.test(e))).toEqual([]);
    await page.close();
  });

  it('stays and keeps working when Monaco cannot load, with the failure said', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(90_000);
    const monaco = await holdMonaco(page);
    await page.goto(`${server.url}/exercises/${EXERCISE}`, { waitUntil: 'commit' });
    const input = page.getByTestId('quick-editor-input');
    await input.waitFor();
    monaco.fail();
    await page.getByTestId('panel-failed').waitFor();
    expect(await page.getByTestId('panel-failed').textContent()).toContain(
      'The editor failed to show',
    );
    await input.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('// still typing');
    await expect.poll(() => input.inputValue()).toMatch(/\/\/ still typing$/);
    await expect.poll(() => savedCode(page, EXERCISE)).toMatch(/\/\/ still typing$/);
    await page.locator('[data-testid="run-button"]:not([disabled])').waitFor();
    // Escape then Shift+Tab leaves it, as it leaves Monaco.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    const outside = await page.evaluate(
      () => document.activeElement?.closest('[data-code-editor]') === null,
    );
    expect(outside).toBe(true);
    await expect.poll(() => input.inputValue()).toMatch(/\/\/ still typing$/);
    await page.close();
  });

  it('keeps every colour and the text in place in the dark theme too', async () => {
    const dark = await launchBrowser({ colorScheme: 'dark' });
    try {
      const page = await dark.context.newPage();
      page.setDefaultTimeout(90_000);
      const monaco = await holdMonaco(page);
      await page.goto(`${server.url}/exercises/${EXERCISE}`, { waitUntil: 'commit' });
      await page.getByTestId('quick-editor-input').waitFor();
      await expect
        .poll(() => page.evaluate(() => document.documentElement.dataset.theme))
        .toBe('dark');
      const before = await firstLineBox(page);
      const quickColours = await colours(page, 20);
      monaco.release();
      await page.locator('[data-code-editor="monaco"] .view-lines').waitFor();
      await expect.poll(() => colours(page, 20)).toEqual(quickColours);
      const after = await firstLineBox(page);
      expect(Math.abs(after.x - before.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(after.y - before.y)).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(artifactsDir, 'quick-editor-dark-after-monaco.png') });
    } finally {
      await dark.close();
    }
  });
});
