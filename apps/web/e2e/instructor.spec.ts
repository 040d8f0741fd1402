// The instructor's desk in a browser, against the real server: an instructor (made on the command
// line) creates a course, a student joins through its link and solves an exercise, the
// instructor sees it in the matrix, opens the submission, comments on a line, the student sees
// the comment, and the grades CSV holds the student's row.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, setEditorText, watchErrors } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { artifactsDir, buildWeb, repoRoot, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'read-file-password';
const INSTRUCTOR = { email: 'prof@lab.test', password: 'prof-password-1' };
const STUDENT = { name: 'Ada Student', email: 'ada@lab.test', password: 'ada-password-1' };

let server: LabServer;
let dataDir: string;
let scratch: string;
let prof: LabBrowser;
let ada: LabBrowser;

beforeAll(async () => {
  buildWeb();
  // startLabServer makes its data directory under os.tmpdir(); a private TMPDIR lets this test
  // find it, to create the instructor there with the real command.
  scratch = mkdtempSync(join(tmpdir(), 'lab-instructor-e2e-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    server = await startLabServer();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const dirs = readdir(scratch).filter((d) => d.startsWith('ebpf-lab-web-e2e-'));
  if (dirs.length !== 1)
    throw new Error(`expected one server data directory in ${scratch}, found ${dirs.join(', ')}`);
  dataDir = join(scratch, dirs[0]);
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
      env: { ...process.env, LAB_DATA_DIR: dataDir },
    },
  );
  if (made.status !== 0) throw new Error(`create-instructor failed: ${made.stderr}`);
  mkdirSync(artifactsDir, { recursive: true });
  prof = await launchBrowser();
  ada = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await prof?.close();
  await ada?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function readdir(dir: string): string[] {
  return spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

describe('instructor desk in the browser', () => {
  it('takes a course from creation to a comment the student reads, and exports the grade', async () => {
    // The instructor signs in and creates a course.
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
    expect(joinLink).toMatch(new RegExp(`^${server.url}/join/[A-Za-z0-9_-]+$`));

    // The student opens the join link, signs up, and solves the exercise in the lab.
    const lab = await ada.context.newPage();
    const labErrors = watchErrors(lab);
    await lab.goto(joinLink);
    await expect.poll(() => text(lab, 'h1')).toContain('Tracing 101');
    await lab.getByTestId('signup-name').fill(STUDENT.name);
    await lab.getByTestId('signup-email').fill(STUDENT.email);
    await lab.getByTestId('signup-password').fill(STUDENT.password);
    await lab.getByTestId('sign-up').click();
    await lab.waitForURL(`${server.url}/`);
    await lab.goto(`${server.url}/exercises/${EXERCISE}`);
    await lab.locator('[data-testid="code-editor"] .view-lines').waitFor();
    await lab.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
    const solution = readFileSync(
      join(repoRoot, 'bpf-templates', EXERCISE, 'solution.bpf.c'),
      'utf8',
    );
    await setEditorText(lab, solution);
    await lab.getByTestId('run-button').click();
    await lab.locator('[data-testid="run-panel"][data-phase="done"]').waitFor({ timeout: 90_000 });
    // The reference solution, graded for real on the kernel (a machine that cannot load BPF fails here).
    expect(await lab.getByTestId('verdict').getAttribute('data-status')).toBe('pass');

    // The instructor sees the student in the matrix and opens the submission.
    await desk.getByTestId('course-link').first().click();
    await desk.getByTestId('matrix').waitFor();
    await desk.screenshot({ path: join(artifactsDir, 'instructor-matrix.png'), fullPage: true });
    const row = desk.locator(`[data-testid="matrix-row"][data-email="${STUDENT.email}"]`);
    await row.waitFor();
    const cell = row.locator(`[data-testid="matrix-cell"][data-exercise="${EXERCISE}"]`);
    expect(await cell.getAttribute('data-state')).toBe('passed');
    expect(await cell.textContent()).toMatch(/1 attempt/);
    await cell.locator('a').click();
    await desk.getByTestId('submission-code').waitFor();
    expect(await desk.getByTestId('submission-code').textContent()).toContain('lab.h');
    await desk.getByTestId('review-tab-checks').click();
    await desk.getByTestId('review-tab-code').click();

    // A comment on line 3, which the student then reads on their submission.
    await desk.getByTestId('comment-line-3').click();
    await desk.getByTestId('comment-text').fill('Explain why this line is needed.');
    await desk.getByTestId('comment-save').click();
    await desk
      .locator('[data-testid="line-comment"][data-line="3"]', { hasText: 'Explain why this line' })
      .waitFor();
    await desk.screenshot({ path: join(artifactsDir, 'instructor-review.png'), fullPage: true });

    await lab.goto(`${server.url}/account`);
    await lab.getByTestId('my-submission').first().click();
    const seen = lab.locator('[data-testid="line-comment"][data-line="3"]');
    await seen.waitFor();
    expect(await seen.textContent()).toContain('Explain why this line is needed.');
    expect(await seen.textContent()).toContain('Prof Ling');
    await lab.screenshot({ path: join(artifactsDir, 'student-comment.png'), fullPage: true });

    // The grades export holds the student's row, with one column per exercise.
    const courseId = /\/instructor\/courses\/([^/]+)/.exec(desk.url())?.[1] ?? '';
    const csv = await prof.context.request.get(
      `${server.url}/api/instructor/courses/${courseId}/grades.csv`,
    );
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0].split(',')).toContain(EXERCISE);
    const adaRow = lines.find((l) => l.startsWith(`${STUDENT.email},`));
    expect(adaRow).toBeDefined();
    const column = lines[0].split(',').indexOf(EXERCISE);
    // The score: 1 for a pass (else the share of required checks the best attempt passed).
    expect(adaRow?.split(',')[column]).toBe('1');

    // The student cannot open the instructor's routes.
    const forbidden = await ada.context.request.get(
      `${server.url}/api/instructor/courses/${courseId}/matrix`,
    );
    expect(forbidden.status()).toBe(403);

    // Chunks a page was still loading when the test navigated on are aborted, not failed.
    const real = (errors: string[]) => errors.filter((e) => !/favicon|net::ERR_ABORTED/.test(e));
    expect(real(deskErrors)).toEqual([]);
    expect(real(labErrors)).toEqual([]);
  }, 240_000);
});
