// The live desk in the browser against the real server and kernel: an instructor opens a course
// and keeps its page open; two students join and submit (one failing on a named check); the
// matrix updates without a reload; the class's mistakes name that check with a link to the
// attempt; a comment is written and edited without the page moving; the student sees a badge
// arrive in the top navigation and on the exercise, and it goes once they read the comment.
// Screenshots of the desk, the mistakes view and the review page go to artifacts/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, setEditorText, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { buildWeb, repoRoot, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';
import { artifactsDir } from './helpers/lab-server.ts';

const EXERCISE = 'platform-tour';
/** A known-wrong variant: it submits the string's NUL too, so `says-hello` fails. */
const FAILING_CHECK = 'says-hello';
const INSTRUCTOR = { email: 'prof@desk.test', password: 'prof-password-1' };

let server: LabServer;
let prof: LabBrowser;
let ada: LabBrowser;
let bob: LabBrowser;

beforeAll(async () => {
  buildWeb();
  server = await startLabServer();
  const made = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/server/src/cli/lab.ts',
      'create-instructor',
      INSTRUCTOR.email,
      '--name',
      'Prof Ling',
    ],
    {
      cwd: repoRoot,
      input: `${INSTRUCTOR.password}\n`,
      encoding: 'utf8',
      env: { ...process.env, LAB_DATA_DIR: server.dataDir },
    },
  );
  if (made.status !== 0) throw new Error(`create-instructor failed: ${made.stderr}`);
  mkdirSync(artifactsDir, { recursive: true });
  [prof, ada, bob] = await Promise.all([launchBrowser(), launchBrowser(), launchBrowser()]);
}, 300_000);

afterAll(async () => {
  await Promise.all([prof?.close(), ada?.close(), bob?.close()]);
  await server?.stop();
});

const source = (path: string) =>
  readFileSync(join(repoRoot, 'bpf-templates', EXERCISE, path), 'utf8');

/** Signs up through the join link and lands on the exercise list with the confirmation. */
async function joinCourse(page: Page, link: string, name: string, email: string): Promise<void> {
  await page.goto(link);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-password').fill(`${name}-password-1`);
  await page.getByTestId('sign-up').click();
  await page.waitForURL(`${server.url}/`);
  expect(await page.getByTestId('joined-course').textContent()).toContain('Tracing 101');
}

/** Runs `code` on the exercise page and returns the verdict the student saw. */
async function submit(page: Page, code: string): Promise<string | null> {
  await page.goto(`${server.url}/exercises/${EXERCISE}`);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
  await page.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
  await setEditorText(page, code);
  await page.getByTestId('run-button').click();
  await page.locator('[data-testid="run-panel"][data-phase="done"]').waitFor({ timeout: 90_000 });
  return page.getByTestId('verdict').getAttribute('data-status');
}

/** The page scrolls inside <main>, under the fixed top bar. */
const mainScroll = (page: Page) => page.evaluate(() => document.getElementById('main')!.scrollTop);

const cell = (page: Page, email: string, state: string) =>
  page.locator(
    `[data-testid="matrix-row"][data-email="${email}"] [data-testid="matrix-cell"][data-exercise="${EXERCISE}"][data-state="${state}"]`,
  );

describe('the live desk in the browser', () => {
  it('updates as students submit, names the failing check, and brings a comment to the student', async () => {
    // The instructor signs in; the top navigation offers the desk.
    const desk = await prof.context.newPage();
    const deskErrors = watchErrors(desk);
    await desk.goto(`${server.url}/account`);
    await desk.getByTestId('email').fill(INSTRUCTOR.email);
    await desk.getByTestId('password').fill(INSTRUCTOR.password);
    await desk.getByTestId('sign-in').click();
    await desk.waitForURL(/\/instructor$/);
    await desk.getByTestId('nav-instructor').waitFor();
    // Creating the course is the page's first state-changing request: no 403 and retry.
    await desk.getByTestId('course-title').fill('Tracing 101');
    await desk.getByTestId('create-course').click();
    const joinLink = (await desk.getByTestId('join-link').first().textContent()) ?? '';
    expect(joinLink).toMatch(new RegExp(`^${server.url}/join/[A-Za-z0-9_-]+$`));
    await prof.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    await desk.getByTestId('copy-join-link').first().click();
    await desk.locator('[data-testid="copy-state"]', { hasText: 'Copied' }).first().waitFor();
    expect(await desk.evaluate(() => navigator.clipboard.readText())).toBe(joinLink);

    // The course page follows the course live; a marker shows the page is never reloaded.
    await desk.getByTestId('course-link').first().click();
    await desk.locator('[data-testid="desk-live"][data-live="true"]').waitFor();
    await desk.evaluate(() => {
      (window as unknown as { deskMarker: string }).deskMarker = 'same page';
    });

    // Two students join, then submit: the desk hears their runs and shows them.
    const adaPage = await ada.context.newPage();
    const adaErrors = watchErrors(adaPage);
    await joinCourse(adaPage, joinLink, 'Ada', 'ada@desk.test');
    const bobPage = await bob.context.newPage();
    const bobErrors = watchErrors(bobPage);
    await joinCourse(bobPage, joinLink, 'Bob', 'bob@desk.test');

    // Ada passes; Bob's submission fails the named check. Graded for real on the kernel.
    expect(await submit(adaPage, source('solution.bpf.c'))).toBe('pass');
    expect(await submit(bobPage, source('variants/sends-the-nul.bpf.c'))).toBe('fail');

    // The desk shows both without a reload, with each student's activity.
    await cell(desk, 'ada@desk.test', 'passed').waitFor();
    await cell(desk, 'bob@desk.test', 'attempted').waitFor();
    expect(
      await desk.evaluate(() => (window as unknown as { deskMarker?: string }).deskMarker),
    ).toBe('same page');
    const bobRow = desk.locator('[data-testid="matrix-row"][data-email="bob@desk.test"]');
    expect(await bobRow.getByTestId('activity').textContent()).toMatch(
      /last run (just now|\d+ min ago)/,
    );
    await desk.screenshot({ path: join(artifactsDir, 'desk-live.png'), fullPage: true });

    // Re-running a whole column asks first; cancelling runs nothing.
    await desk.getByTestId('rerun-all').first().click();
    await desk.getByTestId('confirm-rerun').waitFor();
    await desk.getByRole('button', { name: 'Cancel' }).click();
    expect(await desk.getByTestId('confirm-rerun').count()).toBe(0);

    // The class's mistakes name the check Bob failed, with its hint and his attempt.
    await desk.getByTestId('open-mistakes').click();
    const failing = desk.locator(
      `[data-testid="mistakes-exercise"][data-exercise="${EXERCISE}"] [data-testid="failing-check"][data-check="${FAILING_CHECK}"]`,
    );
    await failing.waitFor();
    expect(await failing.textContent()).toContain('Submits exactly "hello, kernel"');
    expect(await failing.textContent()).toContain('sizeof');
    const summary = desk.locator(
      `[data-testid="mistakes-exercise"][data-exercise="${EXERCISE}"] [data-testid="mistakes-summary"]`,
    );
    expect(await summary.textContent()).toMatch(/1 of 2 students passed/);
    await desk.screenshot({ path: join(artifactsDir, 'desk-mistakes.png'), fullPage: true });
    await failing.getByTestId('mistake-example').first().click();

    // The review of Bob's attempt: comment on a line, then edit it; the page stays where it is.
    await desk.getByTestId('submission-code').waitFor();
    expect(await desk.locator('h1').textContent()).toContain('Bob');
    await desk
      .locator('[data-testid="submission-code"] code[data-highlight="c"]')
      .first()
      .waitFor();
    // A short window, so the line commented on is below the fold and the page must stay scrolled.
    await desk.setViewportSize({ width: 1280, height: 480 });
    const line = (await desk.locator('[data-testid="submission-code"] tr[data-line]').count()) - 2;
    await desk.getByTestId(`comment-line-${line}`).scrollIntoViewIfNeeded();
    await desk.getByTestId(`comment-line-${line}`).click();
    await desk.getByTestId('comment-text').fill('sizeof counts the NUL.');
    const scrolled = await mainScroll(desk);
    expect(scrolled).toBeGreaterThan(0);
    await desk.getByTestId('comment-save').click();
    const written = desk.locator(`[data-testid="line-comment"][data-line="${line}"]`);
    await written.waitFor();
    expect(await mainScroll(desk)).toBe(scrolled);
    await written.getByTestId('comment-edit').click();
    await desk.getByTestId('comment-text').fill('sizeof counts the NUL: send 13 bytes, not 14.');
    await desk.getByTestId('comment-save').click();
    await desk
      .locator(`[data-testid="line-comment"][data-line="${line}"]`, { hasText: 'not 14' })
      .waitFor();
    expect(await written.textContent()).toContain('edited');
    expect(await mainScroll(desk)).toBe(scrolled);
    await desk.setViewportSize({ width: 1440, height: 900 });
    await desk.screenshot({ path: join(artifactsDir, 'desk-review.png'), fullPage: true });
    // The diff against the starter opens at its first change.
    await desk.getByTestId('review-tab-starter-diff').click();
    const firstChange = await desk
      .locator('[data-testid="diff-view"][data-first-change]')
      .getAttribute('data-first-change');
    expect(Number(firstChange)).toBeGreaterThan(0);

    // Bob, still on the exercise page, sees the badge arrive without reloading.
    const badge = bobPage.getByTestId('unread-badge');
    await badge.waitFor();
    expect(await badge.textContent()).toMatch(/^1/);
    expect(await bobPage.getByTestId('exercise-page-unread').textContent()).toBe('1 new comment');
    await bobPage.getByTestId('nav-home').click();
    expect(
      await bobPage
        .getByTestId(`exercise-${EXERCISE}`)
        .getByTestId('exercise-unread')
        .textContent(),
    ).toMatch(/1 new comment/);
    await bobPage.getByTestId('nav-account').click();
    const mine = bobPage.getByTestId('my-submission').first();
    expect(await mine.textContent()).toBe('Hello, kernel');
    await mine.click();
    const seen = bobPage.locator(`[data-testid="line-comment"][data-line="${line}"]`);
    await seen.waitFor();
    expect(await seen.textContent()).toContain('send 13 bytes, not 14');
    // Read: the badge goes.
    await badge.waitFor({ state: 'detached' });

    // Chunks a page was still loading when the test navigated on are aborted, not failed.
    const real = (errors: string[]) => errors.filter((e) => !/favicon|net::ERR_ABORTED/.test(e));
    expect(real(deskErrors)).toEqual([]);
    expect(real(adaErrors)).toEqual([]);
    expect(real(bobErrors)).toEqual([]);
  }, 300_000);
});
