// In a real browser against the real server: the verifier's missing NULL
// check lands on the student's line with its explanation; clangd marks a typo before Run;
// completion offers bpf_map_lookup_elem with its signature.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchBrowser, setEditorText, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { buildWeb, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

let server: LabServer;
let browser: LabBrowser;
let exerciseId: string;

beforeAll(async () => {
  buildWeb();
  server = await startLabServer();
  browser = await launchBrowser();
  const list = (await (await fetch(`${server.url}/api/exercises`)).json()) as { id: string }[];
  if (list.length === 0)
    throw new Error('the server lists no exercises: the browser test needs one');
  exerciseId = list.find((e) => e.id === 'read-file-password')?.id ?? list[0].id;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openExercise(page: Page): Promise<void> {
  await page.goto(`${server.url}/exercises/${exerciseId}`);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
}

/**
 * Hovers the middle of `word` on the editor line holding `text` and returns what the hover
 * shows. A fixed offset into the line may land on indentation, where no provider has anything
 * to say and no hover opens; token spans split where markers start and end. The line's text
 * is monospaced (tabs are rendered as spaces), so the word's place follows from its index.
 */
async function hoverLine(page: Page, text: string, word = text): Promise<string> {
  const line = page.locator('[data-testid="code-editor"] .view-line', { hasText: text }).first();
  const content = line.locator(':scope > span').first();
  const shown = ((await content.textContent()) ?? '').replace(/\u00a0/g, ' ');
  const box = await content.boundingBox();
  const index = shown.indexOf(word);
  if (!box || index < 0) throw new Error(`'${word}' is not on the line '${shown}'`);
  const charWidth = box.width / shown.length;
  await content.hover({
    position: { x: (index + word.length / 2) * charWidth, y: box.height / 2 },
  });
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  await hover.waitFor({ timeout: 20_000 });
  // The hover shows "Loading..." until every provider (clangd's included) has answered.
  await page.waitForFunction(
    () =>
      !/Loading\.\.\./.test(
        document.querySelector('.monaco-hover:not(.hidden)')?.textContent ?? 'Loading...',
      ),
    undefined,
    { timeout: 30_000 },
  );
  return (await hover.textContent()) ?? '';
}

/**
 * Waits for an error squiggle on the line whose whole text matches `line`. Any squiggle would
 * not do: the page opens with the previous test's saved text and its markers.
 */
async function squiggleOn(page: Page, line: RegExp): Promise<void> {
  await page.waitForFunction(
    (source) => {
      const root = document.querySelector('[data-testid="code-editor"]');
      const pattern = new RegExp(source);
      const row = Array.from(root?.querySelectorAll('.view-line') ?? []).find((l) =>
        pattern.test(l.textContent ?? ''),
      );
      if (!root || !row) return false;
      const r = row.getBoundingClientRect();
      return Array.from(root.querySelectorAll('.squiggly-error')).some((s) => {
        const q = s.getBoundingClientRect();
        return q.top < r.bottom && q.bottom > r.top;
      });
    },
    line.source,
    { timeout: 30_000 },
  );
}

const MAP = [
  'struct {',
  '  __uint(type, BPF_MAP_TYPE_HASH);',
  '  __uint(max_entries, 64);',
  '  __type(key, u32);',
  '  __type(value, u64);',
  '} counts SEC(".maps");',
  '',
];

const NULL_CHECK = [
  '#include "lab.h"',
  '',
  ...MAP,
  'SEC("tracepoint/syscalls/sys_enter_openat")',
  'int count_opens(void *ctx)',
  '{',
  '  u32 pid = bpf_get_current_pid_tgid() >> 32;',
  '  u64 *count = bpf_map_lookup_elem(&counts, &pid);',
  '  *count += 1;',
  '  return 0;',
  '}',
  '',
].join('\n');

describe('diagnostics that teach, in the browser', () => {
  it('shows a missing NULL check on the line that uses the pointer, with the explanation', async () => {
    const page = await browser.context.newPage();
    await openExercise(page);
    await setEditorText(page, NULL_CHECK);
    await page.locator('[data-testid="run-button"]').click();
    await page.locator('[data-testid="run-panel"][data-phase="done"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="stage-verifier"]').getAttribute('data-state')).toBe(
      'failed',
    );
    const shown = await hoverLine(page, '*count += 1;', 'count');
    expect(shown).toContain('Missing NULL check');
    expect(shown).toContain('if (!value) return 0;');
    await page.close();
  });

  it('marks a typo from clangd before Run', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await openExercise(page);
    await setEditorText(page, NULL_CHECK.replace('bpf_map_lookup_elem(', 'bpf_map_lookup_elme('));
    await squiggleOn(page, /bpf_map_lookup_elme\(/);
    const shown = await hoverLine(page, 'bpf_map_lookup_elme');
    expect(shown).toMatch(/clangd/);
    expect(shown).toMatch(
      /undeclared function 'bpf_map_lookup_elme'|implicit declaration of function 'bpf_map_lookup_elme'/i,
    );
    expect(await page.locator('[data-testid="run-panel"][data-phase="done"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers bpf_map_lookup_elem with its signature in completion', async () => {
    const page = await browser.context.newPage();
    await openExercise(page);
    await setEditorText(
      page,
      `${NULL_CHECK.replace('  return 0;', '  bpf_map_look\n  return 0;')}`,
    );
    // Once clangd has read the file (it marks the unfinished `bpf_map_look`), as a student
    // who pauses; the line itself, not the one that calls bpf_map_lookup_elem.
    await squiggleOn(page, /^\s*bpf_map_look\s*$/);
    await page
      .locator('[data-testid="code-editor"] .view-line', { hasText: /^\s*bpf_map_look\s*$/ })
      .click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Space');
    const item = page
      .locator('.suggest-widget .monaco-list-row', { hasText: 'bpf_map_lookup_elem' })
      .first();
    await item.waitFor({ timeout: 30_000 });
    expect(await item.textContent()).toContain('void *(*)(void *, const void *)');
    await page.close();
  });
});
