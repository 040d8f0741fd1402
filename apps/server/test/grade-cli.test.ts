// npm run grade -- <exercise> <file> --check-only: compile and static checks only. The refused
// file reads 4096 bytes past its tracepoint's record, which loaded behind the dispatcher would
// oops the kernel: it must be refused here without anything reaching the kernel.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GRADE_CLI = join(__dirname, '../src/cli/grade.ts');
const SOLUTION = join(__dirname, '../../../bpf-templates/read-file-password/solution.bpf.c');
let dir: string;

function grade(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', GRADE_CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Programs of the lab's loader (the dispatcher's and the students'), by name. */
async function loadedProgramNames(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('bpftool', ['prog', 'show'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', () => resolve(out));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grade-cli-'));
  writeFileSync(
    join(dir, 'over-read.bpf.c'),
    [
      '#include "lab.h"',
      'SEC("tracepoint/syscalls/sys_enter_openat")',
      'int check_only_over_read(struct trace_event_raw_sys_enter *ctx)',
      '{',
      '\tSUBMIT_NUM(*(__u64 *)((char *)ctx + 4096));',
      '\treturn 0;',
      '}',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run grade -- --check-only', () => {
  it(
    'refuses an over-read on its line, exit 2, without loading it',
    { timeout: 120_000 },
    async () => {
      const res = await grade([
        'read-file-password',
        join(dir, 'over-read.bpf.c'),
        '--check-only',
        '--json',
      ]);
      expect(res.status).toBe(2);
      const result = JSON.parse(res.stdout);
      expect(result).toMatchObject({ status: 'error', errorKind: 'static' });
      expect(result.diagnostics[0]).toMatchObject({ code: 'static/context-bound', line: 5 });
      expect(
        result.stages.map((s: { name: string; status: string }) => `${s.name} ${s.status}`),
      ).toEqual([
        'compile ok',
        'static failed',
        'verifier skipped',
        'attach skipped',
        'target skipped',
        'checks skipped',
      ]);
      expect(await loadedProgramNames()).not.toContain('check_only_over');
    },
  );

  it(
    'passes an accepted file with a summary saying nothing ran, exit 0',
    { timeout: 120_000 },
    async () => {
      const res = await grade(['read-file-password', SOLUTION, '--check-only']);
      expect(res.status).toBe(0);
      expect(res.stdout).toContain('read-file-password: PASS');
      expect(res.stdout).toContain('nothing was loaded');
      expect(res.stdout).toMatch(/-\s+verifier/);
    },
  );

  it('refuses an unknown option instead of reading it as the file', async () => {
    const res = await grade(['read-file-password', SOLUTION, '--check']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('unknown option --check');
  });
});

describe('npm run grade arguments', () => {
  const USAGE = 'usage: npm run grade -- <exercise-id> <file.c> [--json] [--check-only]';

  it('honours options given first and last', { timeout: 120_000 }, async () => {
    const res = await grade(['--json', 'read-file-password', SOLUTION, '--check-only']);
    expect(res.status).toBe(0);
    const result = JSON.parse(res.stdout);
    expect(result).toMatchObject({ exerciseId: 'read-file-password', status: 'pass' });
    expect(result.stages.find((s: { name: string }) => s.name === 'verifier')).toMatchObject({
      status: 'skipped',
    });
  });

  it('refuses an unknown option given first, with the usage, exit 2', async () => {
    const res = await grade(['--verbose', 'read-file-password', SOLUTION]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`unknown option --verbose\n${USAGE}\n`);
    expect(res.stdout).toBe('');
  });

  it('names the missing file, exit 2', async () => {
    const res = await grade(['read-file-password', '--json']);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`missing <file.c>\n${USAGE}\n`);
  });

  it('refuses a third file instead of ignoring it', async () => {
    const res = await grade(['read-file-password', SOLUTION, SOLUTION]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`unexpected argument "${SOLUTION}"`);
  });

  it('prints the usage and what the options do for --help, exit 0', async () => {
    const res = await grade(['--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^${USAGE.replace(/[[\]]/g, '\\$&')}\n`));
    expect(res.stdout).toContain('--check-only');
    expect(res.stderr).toBe('');
  });
});
