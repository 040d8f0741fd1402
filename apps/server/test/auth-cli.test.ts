import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@ebpf-lab/store';
import { verifyPassword } from '../src/routes/auth/passwords.ts';
import { hashToken } from '../src/routes/auth/session.ts';

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
    expect(lab(['create-instructor', 'nope'], 'long-enough').stderr).toMatch(
      /give an email address/,
    );
    const short = lab(['create-instructor', 'b@uni.edu'], 'short');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 8 characters/);
  });
});

describe('npm run lab -- reset-link', () => {
  it('prints a single-use link for an account, and names an unknown email', async () => {
    expect(lab(['create-instructor', 'prof@uni.edu'], 'correct horse\n').status).toBe(0);
    const res = lab(['reset-link', 'Prof@Uni.edu'], '');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const link = /^http:\/\/localhost:\d+\/reset\/([A-Za-z0-9_-]{43})$/m.exec(res.stdout);
    expect(link).not.toBeNull();
    const store = openSqliteStore(join(dataDir, 'lab.sqlite'));
    try {
      const user = await store.getUserByEmail('prof@uni.edu');
      expect(await store.checkPasswordReset(hashToken(link?.[1] ?? ''))).toEqual({
        ok: true,
        userId: user?.id,
      });
    } finally {
      await store.close();
    }
    const unknown = lab(['reset-link', 'who@uni.edu'], '');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no account has the email who@uni.edu/);
    expect(lab(['reset-link'], '').status).toBe(2);
  });
});

describe('npm run lab arguments', () => {
  const USAGE = 'usage: npm run lab -- create-instructor <email> [--name <name>]';
  const accountOf = async (email: string) => {
    const store = openSqliteStore(join(dataDir, 'lab.sqlite'));
    try {
      return await store.getUserByEmail(email);
    } finally {
      await store.close();
    }
  };

  it('honours --name given before the email', async () => {
    const res = lab(['create-instructor', '--name', 'Prof Y', 'y@uni.edu'], 'correct horse\n');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(await accountOf('y@uni.edu')).toMatchObject({ role: 'instructor', name: 'Prof Y' });
  });

  it('refuses --name given last without a value, and creates nothing', async () => {
    const res = lab(['create-instructor', 'z@uni.edu', '--name'], 'correct horse\n');
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`create-instructor: --name needs a value\n${USAGE}\n`);
    expect(await accountOf('z@uni.edu')).toBeUndefined();
  });

  it('refuses an unknown option, and creates nothing', async () => {
    const res = lab(['create-instructor', 'z@uni.edu', '--nmae', 'Prof Z'], 'correct horse\n');
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`create-instructor: unknown option --nmae\n${USAGE}\n`);
    expect(await accountOf('z@uni.edu')).toBeUndefined();
  });

  it('names the missing email', () => {
    const res = lab(['create-instructor'], 'correct horse\n');
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`create-instructor: missing <email>\n${USAGE}\n`);
  });

  it('prints the commands for --help, and a command usage for its own --help, exit 0', async () => {
    const top = lab(['--help'], '');
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/^usage: npm run lab -- <command>/);
    expect(top.stdout).toMatch(/^ {2}create-instructor {4}/m);
    const one = lab(['create-instructor', 'h@uni.edu', '--help'], 'correct horse\n');
    expect(one.status).toBe(0);
    expect(one.stdout.split('\n')[0]).toBe(USAGE);
    expect(one.stdout).toContain('--name <name>');
    expect(await accountOf('h@uni.edu')).toBeUndefined();
  });

  it('refuses a missing command, an unknown one and an unknown option before one, exit 2', () => {
    const none = lab([], '');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^missing <command>\nusage: npm run lab -- <command>/);
    const unknown = lab(['create-student', 's@uni.edu'], '');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown command "create-student"\n/);
    expect(unknown.stderr).toContain('create-instructor');
    const option = lab(['--verbose', 'create-instructor', 's@uni.edu'], '');
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/^unknown option --verbose\n/);
  });
});
