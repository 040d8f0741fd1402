// Debian's Chromium through playwright-core (Playwright cannot download browsers here), with a
// fresh profile in a temp dir per launch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LabBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<LabBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'ebpf-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Page errors and failed requests, collected so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) =>
    errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  return errors;
}

/**
 * Puts the caret in the editor. Monaco 0.57 takes input through the browser's EditContext (a
 * focusable div) in Chromium, not its hidden textarea, so click where a student would.
 */
export async function focusEditor(page: Page): Promise<void> {
  await page.locator('[data-testid="code-editor"] .view-lines').click();
}

/**
 * Replaces the editor's text the way a student pasting would. A paste event, not typed keys:
 * typing a whole file would run auto-indent and auto-closing on every line.
 */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await focusEditor(page);
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    const event = new ClipboardEvent('paste', {
      clipboardData: data,
      bubbles: true,
      cancelable: true,
    });
    document.activeElement?.dispatchEvent(event);
  }, text);
}

/** The text the editor saved for an exercise (autosave writes every change at once). */
export async function savedCode(page: Page, exerciseId: string): Promise<string | null> {
  return page.evaluate((id) => {
    const raw = localStorage.getItem(`ebpf-lab:code:${id}`);
    return raw ? (JSON.parse(raw) as { code: string }).code : null;
  }, exerciseId);
}

export async function editorText(page: Page): Promise<string> {
  // Monaco renders only visible lines; the model's text is read through the view lines' order.
  return page.evaluate(() => {
    const lines = Array.from(document.querySelectorAll('[data-testid="code-editor"] .view-line'));
    return lines
      .map((l) => ({
        top: parseFloat((l as HTMLElement).style.top || '0'),
        text: l.textContent ?? '',
      }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text.replace(/\u00a0/g, ' '))
      .join('\n');
  });
}
