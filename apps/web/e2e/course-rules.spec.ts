// Course rules in the browser, against the real server and kernel: an instructor assigns an
// exercise and adds an assistant (who sets a password through the link handed back), a student
// joins, sees the assignment with its due date, opens it from the assignment and passes it (the
// run counts for the course), the assistant sees the grade but no controls, a reset link works
// once, and removing the assistant asks first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, setEditorText, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { artifactsDir, buildWeb, repoRoot, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'platform-tour';
const INSTRUCTOR = { email: 'prof@rules.test', password: 'prof-password-1' };
const STUDENT = { name: 'Ada Student', email: 'ada@rules.test', password: 'ada-password-1' };

let server: LabServer;
let scratch: string;
let prof: LabBrowser;
let ada: LabBrowser;
let tess: LabBrowser;

beforeAll(async () => {
  buildWeb();
  // A private TMPDIR, so the server's data directory is found to create the instructor in.
  scratch = mkdtempSync(join(tmpdir(), 'lab-rules-e2e-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    server = await startLabServer();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const dirs = readdirSync(scratch).filter((d) => d.startsWith('ebpf-lab-web-e2e-'));
  if (dirs.length !== 1) throw new Error(`expected one server data directory in ${scratch}`);
  const made = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/cli/lab.ts', 'create-instructor', INSTRUCTOR.email],
    {
      cwd: repoRoot,
      input: `${INSTRUCTOR.password}\n`,
      encoding: 'utf8',
      env: { ...process.env, LAB_DATA_DIR: join(scratch, dirs[0]) },
    },
  );
  if (made.status !== 0) throw new Error(`create-instructor failed: ${made.stderr}`);
  mkdirSync(artifactsDir, { recursive: true });
  prof = await launchBrowser();
  ada = await launchBrowser();
  tess = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await prof?.close();
  await ada?.close();
  await tess?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `<input type="datetime-local">`'s value for a moment, in the browser's (and our) time zone. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function setPassword(page: Page, link: string, password: string): Promise<void> {
  await page.goto(link);
  await page.getByTestId('new-password').fill(password);
  await page.getByTestId('new-password-again').fill(password);
  await page.getByTestId('set-password').click();
}

describe('course rules in the browser', () => {
  it('assigns, grades the run made for the course, and keeps staff to their roles', async () => {
    // The instructor creates a course and opens its assignments and people.
    const desk = await prof.context.newPage();
    const deskErrors = watchErrors(desk);
    await desk.goto(`${server.url}/account`);
    await desk.getByTestId('email').fill(INSTRUCTOR.email);
    await desk.getByTestId('password').fill(INSTRUCTOR.password);
    await desk.getByTestId('sign-in').click();
    await desk.waitForURL(/\/instructor$/);
    await desk.getByTestId('course-title').fill('Tracing 101');
    await desk.getByTestId('create-course').click();
    const joinLink = (await desk.getByTestId('join-link').first().textContent()) ?? '';
    await desk.getByTestId('course-link').first().click();
    await desk.getByTestId('manage-course').click();
    await desk.getByTestId('assign-form').waitFor();

    // One exercise, open since an hour ago, due tomorrow: no bulk, so no confirmation.
    const now = Date.now();
    await desk.getByTestId(`pick-${EXERCISE}`).check();
    await desk.getByTestId('opens-at').fill(localInput(now - 3600_000));
    await desk.getByTestId('due-at').fill(localInput(now + 24 * 3600_000));
    await desk.getByTestId('assign').click();
    await desk.locator(`[data-testid="assignment-row"][data-exercise="${EXERCISE}"]`).waitFor();

    // An assistant without an account: created, with a link to set their password.
    await desk.getByTestId('staff-email').fill('tess@rules.test');
    await desk.getByLabel('Name (for someone without an account yet)').fill('Tess');
    await desk.getByTestId('add-staff').click();
    const setLink = (await desk.getByTestId('reset-url').textContent()) ?? '';
    expect(setLink).toMatch(new RegExp(`^${server.url}/reset/[A-Za-z0-9_-]{43}$`));
    await desk.locator('[data-testid="member-row"][data-email="tess@rules.test"]').waitFor();

    // The student joins and sees the assignment with its due date on the exercise list.
    const lab = await ada.context.newPage();
    const labErrors = watchErrors(lab);
    expect(joinLink).toMatch(new RegExp(`^${server.url}/join/[A-Za-z0-9_-]+$`));
    await lab.goto(joinLink);
    await lab.getByTestId('signup-name').fill(STUDENT.name);
    await lab.getByTestId('signup-email').fill(STUDENT.email);
    await lab.getByTestId('signup-password').fill(STUDENT.password);
    await lab.getByTestId('sign-up').click();
    await lab.waitForURL(`${server.url}/`);
    await lab.getByTestId('working-course').waitFor();
    expect(await lab.getByTestId('working-course').textContent()).toContain('Tracing 101');
    const item = lab.locator(`[data-testid="my-assignment"][data-exercise="${EXERCISE}"]`);
    await item.waitFor();
    expect(await item.textContent()).toMatch(/due .*Open: no attempt counted yet/);
    await lab.screenshot({ path: join(artifactsDir, 'student-assignments.png'), fullPage: true });

    // Opened from the assignment, the exercise carries the course; the solution passes.
    await item.locator('a').click();
    await lab.waitForURL(/\?course=/);
    await lab.locator('[data-testid="code-editor"] .view-lines').waitFor();
    await lab.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
    await setEditorText(
      lab,
      readFileSync(join(repoRoot, 'bpf-templates', EXERCISE, 'solution.bpf.c'), 'utf8'),
    );
    await lab.getByTestId('run-button').click();
    await lab.locator('[data-testid="run-panel"][data-phase="done"]').waitFor({ timeout: 90_000 });
    expect(await lab.getByTestId('verdict').getAttribute('data-status')).toBe('pass');
    await lab.goto(`${server.url}/`);
    await lab
      .locator(`[data-testid="my-assignment"][data-exercise="${EXERCISE}"]`, {
        hasText: 'Best so far: 100%',
      })
      .waitFor();

    // The assistant sets a password through the link, and sees the grade on the desk.
    const staff = await tess.context.newPage();
    const staffErrors = watchErrors(staff);
    await setPassword(staff, setLink, 'tess-password-1');
    await staff.waitForURL(`${server.url}/`);
    await staff.goto(`${server.url}/instructor`);
    await staff.getByTestId('course-link').first().click();
    const cell = staff.locator(
      `[data-testid="matrix-row"][data-email="${STUDENT.email}"] [data-testid="matrix-cell"][data-exercise="${EXERCISE}"]`,
    );
    await cell.locator('[data-testid="assignment-grade"]', { hasText: 'grade 100%' }).waitFor();
    await staff.getByTestId('manage-course').click();
    await staff.getByTestId('assistant-note').waitFor();
    expect(await staff.getByTestId('assign-form').count()).toBe(0);
    expect(await staff.getByTestId('remove-member').count()).toBe(0);

    // A reset link for the student works once; the second visit says it was used.
    await desk.reload();
    const adaRow = desk.locator(`[data-testid="member-row"][data-email="${STUDENT.email}"]`);
    await adaRow.getByTestId('reset-link').click();
    const resetLink = (await desk.getByTestId('reset-url').textContent()) ?? '';
    const fresh = await ada.context.newPage();
    await setPassword(fresh, resetLink, 'ada-new-password');
    await fresh.waitForURL(`${server.url}/`);
    await fresh.goto(resetLink);
    expect(await fresh.getByTestId('reset-refused').textContent()).toMatch(/used already/);
    await desk.screenshot({ path: join(artifactsDir, 'course-people.png'), fullPage: true });

    // Removing the assistant asks first, then their desk is closed to them.
    const tessRow = desk.locator('[data-testid="member-row"][data-email="tess@rules.test"]');
    await tessRow.getByTestId('remove-member').click();
    expect(await desk.getByTestId('confirm').textContent()).toMatch(
      /Remove Tess from Tracing 101\?/,
    );
    await desk.getByTestId('confirm-yes').click();
    await tessRow.waitFor({ state: 'detached' });
    const courseId = /\/instructor\/courses\/([^/]+)/.exec(desk.url())?.[1] ?? '';
    const closed = await tess.context.request.get(
      `${server.url}/api/instructor/courses/${courseId}/matrix`,
    );
    expect(closed.status()).toBe(403);

    // Chunks a page was still loading when the test navigated on are aborted, not failed; the
    // used link's page reports its refusal (410) as a failed request in the console.
    const real = (errors: string[]) =>
      errors.filter((e) => !/favicon|net::ERR_ABORTED|status of 410/.test(e));
    expect(real(deskErrors)).toEqual([]);
    expect(real(labErrors)).toEqual([]);
    expect(real(staffErrors)).toEqual([]);
  }, 300_000);
});
