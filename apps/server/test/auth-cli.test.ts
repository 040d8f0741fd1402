import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@ebpf-lab/store';
import { verifyPassword } from '../src/routes/auth/passwords.ts';

const LAB_CLI = join(__dirname, '../src/cli/lab.ts');
let dataDir: string;

function lab(args: string[], input: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', LAB_CLI, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, LAB_DATA_DIR: dataDir },
  });
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run lab -- create-instructor', () => {
  it('creates an instructor with the password given on stdin', async () => {
    const res = lab(['create-instructor', 'Prof@Uni.edu', '--name', 'Prof X'], 'correct horse\n');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const store = openSqliteStore(join(dataDir, 'lab.sqlite'));
    const user = await store.getUserByEmail('prof@uni.edu');
    await store.close();
    expect(user).toMatchObject({ role: 'instructor', name: 'Prof X' });
    expect(await verifyPassword(user?.passwordHash ?? '', 'correct horse')).toBe(true);
  });

  it('draws and prints a password when none is piped, and refuses a second account', async () => {
    const res = lab(['create-instructor', 'a@uni.edu'], '');
    expect(res.status).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(res.stdout)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    const again = lab(['create-instructor', 'a@uni.edu'], 'another-pass');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
  });

  it('refuses a bad email and a short password, naming them', () => {
    expect(lab(['create-instructor', 'nope'], 'long-enough').stderr).toMatch(/give an email address/);
    const short = lab(['create-instructor', 'b@uni.edu'], 'short');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 8 characters/);
  });
});
