// The page survives the path struggling students take most (a verifier error, its full log, a
// tab switch, another run) and the instructor's review of that submission; Run sends the quick
// editor's code while Monaco loads; the keyboard leaves the editor and walks the result tabs.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focusEditor, launchBrowser, setEditorText, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import {
  artifactsDir,
  buildWeb,
  removeWebBuild,
  repoRoot,
  startLabServer,
} from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'read-file-password';
const INSTRUCTOR = { email: 'robust-prof@lab.test', password: 'robust-prof-password' };
const STUDENT = {
  name: 'Struggling Student',
  email: 'robust-student@lab.test',
  password: 'robust-student-pw',
};

// Refused by the verifier (the lookup's result is used without a NULL check), so it is never
// attached: nothing runs on the kernel.
const VERIFIER_ERROR = [
  '#include "lab.h"',
  '',
  'struct {',
  '  __uint(type, BPF_MAP_TYPE_HASH);',
  '  __uint(max_entries, 64);',
  '  __type(key, u32);',
  '  __type(value, u64);',
  '} counts SEC(".maps");',
  '',
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

let server: LabServer;
let prof: LabBrowser;
let student: LabBrowser;

beforeAll(async () => {
  buildWeb();
  server = await startLabServer();
  const made = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'apps/server/src/cli/lab.ts'),
      'create-instructor',
      INSTRUCTOR.email,
    ],
    {
      cwd: repoRoot,
      input: `${INSTRUCTOR.password}\n`,
      encoding: 'utf8',
      env: { ...process.env, LAB_DATA_DIR: server.dataDir },
      timeout: 120_000,
    },
  );
  if (made.status !== 0) throw new Error(`create-instructor failed: ${made.stderr}`);
  mkdirSync(artifactsDir, { recursive: true });
  prof = await launchBrowser();
  student = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await prof?.close();
  await student?.close();
  await server?.stop();
  removeWebBuild();
});

// The machine is shared: allow slow steps rather than flake, and wait for states, never times.
async function newPage(browser: LabBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(90_000);
  return page;
}

/** Calls the lab's JSON API from inside the page, with its session and CSRF token. */
async function api<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ([m, p, b]) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch(p as string, {
        method: m as string,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      return { status: res.status, json: (await res.json()) as unknown };
    },
    [method, path, body],
  );
  if (answer.status >= 400)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json as T;
}

async function openExercise(page: Page): Promise<void> {
  await page.goto(`${server.url}/exercises/${EXERCISE}`);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
  await page.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
}

async function runAndWait(page: Page): Promise<void> {
  const panel = page.locator('[data-testid="run-panel"]');
  const previous = (await panel.count()) > 0 ? await panel.getAttribute('data-request') : null;
  await page.locator('[data-testid="run-button"]:not([disabled])').click();
  // Each run has its own request id: wait for this one to finish, not the previous one.
  const done = '[data-testid="run-panel"][data-phase="done"]';
  await page.locator(previous ? `${done}:not([data-request="${previous}"])` : done).waitFor();
}

/** Everything that says a part of the page, or the page, died. */
async function expectNothingFailed(page: Page, errors: string[]): Promise<void> {
  expect(await page.locator('[data-testid="panel-failed"]').count()).toBe(0);
  expect(await page.getByText('This page failed').count()).toBe(0);
  expect(errors.filter((e) => !/net::ERR_ABORTED/.test(e))).toEqual([]);
}

describe('a page that survives its own bugs, in the browser', { timeout: 400_000 }, () => {
  it('walks a verifier error, its full log, a tab switch, another run and the review page with no page error', async () => {
    const desk = await newPage(prof);
    const deskErrors = watchErrors(desk);
    await desk.goto(`${server.url}/`);
    await api(desk, 'POST', '/api/auth/login', INSTRUCTOR);
    const { course } = await api<{ course: { id: string; joinPath: string } }>(
      desk,
      'POST',
      '/api/courses',
      {
        title: 'Verifier practice',
      },
    );

    const lab = await newPage(student);
    const labErrors = watchErrors(lab);
    await lab.goto(`${server.url}/`);
    await api(lab, 'POST', '/api/auth/signup', {
      ...STUDENT,
      joinCode: course.joinPath.split('/').pop(),
    });
    await openExercise(lab);
    await setEditorText(lab, VERIFIER_ERROR);
    await runAndWait(lab);
    expect(await lab.locator('[data-testid="stage-verifier"]').getAttribute('data-state')).toBe(
      'failed',
    );

    // The path that took the whole page down: the full log, then another tab, then another run.
    await lab.getByRole('button', { name: 'Open the full verifier log' }).click();
    await lab.locator('[data-testid="verifier-log"] [aria-current="true"]').waitFor();
    await lab.getByRole('tab', { name: 'Result' }).click();
    await lab.getByRole('button', { name: 'Open the full verifier log' }).waitFor();
    await lab.getByRole('tab', { name: 'Verifier log' }).click();
    await lab.locator('[data-testid="verifier-log"]').waitFor();
    await runAndWait(lab);
    await lab.getByRole('button', { name: 'Open the full verifier log' }).click();
    await lab.locator('[data-testid="verifier-log"] [aria-current="true"]').waitFor();
    await lab.getByRole('tab', { name: 'Timeline' }).click();
    await lab.screenshot({ path: join(artifactsDir, 'verifier-error-walk.png') });
    await expectNothingFailed(lab, labErrors);
    // The student's code is still in the editor.
    expect(await lab.locator('[data-testid="code-editor"]').textContent()).toContain('count_opens');

    // The instructor reviews that submission, its verifier log, then another tab.
    await desk.goto(`${server.url}/instructor/courses/${course.id}`);
    const cell = desk.locator(
      `[data-testid="matrix-row"][data-email="${STUDENT.email}"] [data-testid="matrix-cell"][data-exercise="${EXERCISE}"]`,
    );
    await cell.locator('a').click();
    await desk.getByTestId('submission-code').waitFor();
    await desk.getByTestId('review-tab-verifier').click();
    await desk.locator('[data-testid="verifier-log"] [aria-current="true"]').waitFor();
    await desk.getByTestId('review-tab-checks').click();
    // A refused program ran no checks; the tab says so rather than stay blank.
    await desk.locator('[role="tabpanel"]', { hasText: 'No checks ran' }).waitFor();
    await desk.getByTestId('review-tab-verifier').click();
    await desk.locator('[data-testid="verifier-log"]').waitFor();
    await desk.getByTestId('review-tab-code').click();
    await desk.getByTestId('submission-code').waitFor();
    await desk.screenshot({
      path: join(artifactsDir, 'review-after-verifier-log.png'),
      fullPage: true,
    });
    await expectNothingFailed(desk, deskErrors);
    await lab.close();
    await desk.close();
  });

  it('runs the quick editor’s code while Monaco loads, then Monaco’s once it is up', async () => {
    const page = await newPage(student);
    // Hold Monaco's chunk until the test has run the quick editor's code.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let requested = false;
    const hold = async (route: Route) => {
      requested = true;
      await held;
      await route.continue();
    };
    await page.route(/\/assets\/monaco-[^/]*\.js$/, hold);
    await page.goto(`${server.url}/exercises/${EXERCISE}`, { waitUntil: 'commit' });
    await page.getByTestId('quick-editor-input').waitFor();
    await expect.poll(() => requested).toBe(true);
    await page.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
    const button = page.locator('[data-testid="run-button"]');
    expect(await button.textContent()).not.toContain('Loading editor');
    await page.screenshot({ path: join(artifactsDir, 'run-while-editor-loads.png') });
    // The quick editor's code is what runs: the starter, refused by no check before it loads.
    await runAndWait(page);
    expect(await page.locator('[data-testid="verdict"]').count()).toBe(1);
    expect(await page.locator('[data-code-editor="monaco"]').count()).toBe(0);

    release();
    await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
    await runAndWait(page);
    expect(await page.locator('[data-testid="verdict"]').count()).toBe(1);
    await page.unroute(/\/assets\/monaco-[^/]*\.js$/, hold);
    await page.close();
  });

  it('leaves the editor with Escape then Shift+Tab, and moves the focus along the result tabs', async () => {
    const page = await newPage(student);
    await openExercise(page);
    const inEditor = () =>
      page.evaluate(() => document.activeElement?.closest('[data-testid="code-editor"]') !== null);
    await focusEditor(page);
    await page.keyboard.press('Shift+Tab');
    // Shift+Tab alone outdents: the editor keeps it.
    expect(await inEditor()).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    expect(await inEditor()).toBe(false);
    // Backwards from the editor: something before it on the page (the toolbar or the instructions).
    const before = await page.evaluate(() => {
      const editor = document.querySelector('[data-testid="code-editor"]')!;
      const active = document.activeElement!;
      return (editor.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
    });
    expect(before).toBe(true);

    await setEditorText(page, VERIFIER_ERROR);
    await runAndWait(page);
    const focusedTab = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el?.getAttribute('role') === 'tab'
          ? `${el.textContent} ${el.getAttribute('aria-selected')}`
          : `not a tab: ${el?.tagName}`;
      });
    await page.getByRole('tab', { name: 'Result' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await focusedTab()).toMatch(/^Output.* true$/);
    await page.keyboard.press('ArrowRight');
    expect(await focusedTab()).toBe('Timeline true');
    await page.keyboard.press('End');
    expect(await focusedTab()).toBe('Verifier log true');
    await page.locator('[data-testid="verifier-log"]').waitFor();
    await page.keyboard.press('ArrowLeft');
    expect(await focusedTab()).toBe('Maps true');
    await page.keyboard.press('Home');
    expect(await focusedTab()).toBe('Result true');
    // One tab stop: Tab from the selected tab goes into its panel, not to the next tab.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe(
      'tabpanel',
    );
    await page.close();
  });
});
