// A second tab beyond the server's fair shares, in a real browser against the real server on
// loopback, with the shares cut to one connection and one clangd per address: the tab says once
// that it was refused (no silent retries), the editor says its diagnostics are held by the other
// tab, and both come back once that tab is closed; a file that makes clangd run out of memory is
// named as the cause, and diagnostics resume with the next edit. The sign-in refusals cannot be produced here:
// the server refuses signed-out runs only when it listens on a non-loopback address, which these
// tests must not do; the component tests cover those messages.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, setEditorText, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { buildWeb, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'platform-tour';

let server: LabServer;
let browser: LabBrowser;

beforeAll(async () => {
  buildWeb();
  server = await startLabServer(90_000, {
    env: {
      LAB_SOCKETS_PER_ADDRESS: '1',
      LAB_LSP_SESSIONS: '2',
      LAB_LSP_SESSIONS_PER_CLIENT: '1',
      // Low enough for a macro bomb to reach quickly, as the server's own test does.
      LAB_LSP_MEMORY_BYTES: String(448 * 1024 * 1024),
    },
  });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openExercise(page: Page): Promise<void> {
  await page.goto(`${server.url}/exercises/${EXERCISE}`);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
}

describe('a tab beyond the lab’s fair shares', () => {
  it('is told once why it cannot run or get diagnostics, and recovers when the other tab closes', async () => {
    const first = await browser.context.newPage();
    await openExercise(first);
    await first.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
    // The first tab holds the address's one clangd: its diagnostics work.
    await setEditorText(first, 'int broken(void) { return undeclared_name; }\n');
    await first
      .locator('[data-testid="code-editor"] .squiggly-error')
      .first()
      .waitFor({ timeout: 60_000 });

    const second = await browser.context.newPage();
    const errors = watchErrors(second);
    const socketsOpened: string[] = [];
    second.on('websocket', (ws) => {
      if (new URL(ws.url()).pathname === '/ws') socketsOpened.push(ws.url());
    });
    await openExercise(second);
    const refused = second.locator('[data-testid="connection-refused"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('Too many open lab tabs: at most 1 connection');
    expect(await second.locator('[data-testid="connection"]').textContent()).toBe(
      'Not connected: too many tabs',
    );
    await second
      .locator('[data-testid="editor-status"][data-notice="busy-tabs"]')
      .waitFor({ timeout: 30_000 });
    expect(await second.locator('[data-testid="editor-status"]').textContent()).toContain(
      'too many editor sessions are open in your other lab tabs',
    );

    // Run names the limit rather than 'reconnecting'.
    const run = second.locator('[data-testid="run-button"]:not([disabled])');
    await run.click();
    const verdict = second.locator('[data-testid="verdict"]');
    await verdict.waitFor();
    expect(await verdict.locator('strong').textContent()).toBe('Too many open tabs');
    // Refused once, not retried behind the student's back.
    expect(socketsOpened).toHaveLength(1);
    expect(await refused.count()).toBe(1);

    await first.close();
    // The server frees the first tab's share when it sees the close: ask until it has.
    await expect
      .poll(
        async () => {
          if ((await refused.count()) > 0) {
            await second
              .getByRole('button', { name: 'Reconnect' })
              .click({ timeout: 1_000 })
              .catch(() => {});
          }
          return second.locator('[data-testid="connection"]').textContent();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('Connected');
    // The editor's next attempt gets the freed clangd.
    await second
      .locator('[data-testid="editor-status"][data-notice=""]')
      .waitFor({ state: 'attached', timeout: 120_000 });
    expect(errors).toEqual([]);
    await second.close();
  }, 300_000);
});

describe('a file that makes clangd run out of memory', () => {
  // 277 bytes that expand to a 40 MB string literal.
  const macroBomb = [
    '#define A "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    '#define B A A A A A A A A A A',
    '#define C B B B B B B B B B B',
    '#define D C C C C C C C C C C',
    '#define E D D D D D D D D D D',
    '#define F E E E E E E E E E E',
    '#define G F F F F F F F F F F',
    '#define H G G G G G G G G G G',
    'char s[] = H;',
    '',
  ].join('\n');

  it('is named as the cause under the editor, and diagnostics resume on the next edit', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await openExercise(page);
    await setEditorText(page, macroBomb);
    const status = page.locator('[data-testid="editor-status"]');
    await page
      .locator('[data-testid="editor-status"][data-notice="out-of-memory"]')
      .waitFor({ timeout: 180_000 });
    expect(await status.textContent()).toContain(
      'Your file made clangd run out of memory (its limit is 448 MiB)',
    );
    expect(await status.textContent()).toContain('Diagnostics resume when you edit');

    await setEditorText(page, 'int broken(void) { return undeclared_name; }\n');
    await page
      .locator('[data-testid="code-editor"] .squiggly-error')
      .first()
      .waitFor({ timeout: 60_000 });
    expect(await status.getAttribute('data-notice')).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
