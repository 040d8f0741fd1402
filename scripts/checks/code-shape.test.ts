// The shape of the code, checked by `npm test` like any behaviour: types across every workspace,
// one formatting style, and the import boundaries of .dependency-cruiser.cjs. Each check also
// runs once on a small broken sample, to show it can fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

function tool(name: string, args: string[], cwd = root) {
  const r = spawnSync(bin(name), args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The files Prettier owns: every script and source file of the project. */
const FORMATTED = ['**/*.{ts,tsx,mts,mjs,cjs,js}'];

const scratch = mkdtempSync(join(tmpdir(), 'lab-code-shape-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(rel: string, text: string) {
  const path = join(scratch, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('code shape', () => {
  it('type-checks every workspace', { timeout: 300_000 }, () => {
    const r = tool('tsc', ['-p', 'tsconfig.json', '--noEmit']);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('is formatted with the project Prettier configuration', { timeout: 300_000 }, () => {
    const r = tool('prettier', ['--check', '--log-level', 'warn', ...FORMATTED]);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('keeps the import boundaries', { timeout: 300_000 }, () => {
    const r = tool('depcruise', [
      'apps',
      'packages',
      'scripts',
      '--config',
      '.dependency-cruiser.cjs',
    ]);
    expect(r.code, r.output).toBe(0);
  });
});

describe('each shape check can fail', () => {
  it('tsc refuses a type error', { timeout: 120_000 }, () => {
    // The project's compiler options, without the ambient types a scratch folder cannot resolve.
    const config = { extends: join(root, 'tsconfig.json'), compilerOptions: { types: [] } };
    write('types/tsconfig.json', JSON.stringify({ ...config, include: ['*.ts'] }));
    write('types/wrong.ts', "export const n: number = 'not a number';\n");
    const r = tool('tsc', ['-p', join(scratch, 'types', 'tsconfig.json'), '--noEmit']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('TS2322');
  });

  it('prettier refuses a formatting difference', { timeout: 120_000 }, () => {
    const file = write('format/ugly.ts', 'export const s = "double quotes"\n');
    const r = tool('prettier', ['--check', '--config', join(root, '.prettierrc.json'), file]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('ugly.ts');
  });

  it('dependency-cruiser refuses the web app importing the runner', { timeout: 120_000 }, () => {
    const dir = join(scratch, 'imports');
    write(
      'imports/tsconfig.json',
      JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
    );
    write('imports/packages/runner/src/index.ts', 'export const run = 1;\n');
    write(
      'imports/apps/web/src/page.ts',
      "import { run } from '../../../packages/runner/src/index.ts';\nexport const x = run;\n",
    );
    const r = tool(
      'depcruise',
      ['apps', 'packages', '--config', join(root, '.dependency-cruiser.cjs')],
      dir,
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('web-imports-only-protocol');
  });

  it('dependency-cruiser refuses the run lifecycle importing a route', { timeout: 120_000 }, () => {
    const dir = join(scratch, 'server-imports');
    write(
      'server-imports/tsconfig.json',
      JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
    );
    write('server-imports/apps/server/src/routes/auth/index.ts', 'export const user = 1;\n');
    write(
      'server-imports/apps/server/src/runs/run.ts',
      "import { user } from '../routes/auth/index.ts';\nexport const x = user;\n",
    );
    const r = tool('depcruise', ['apps', '--config', join(root, '.dependency-cruiser.cjs')], dir);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('server-core-never-imports-routes');
  });

  it(
    'dependency-cruiser refuses a child process started outside the runner',
    { timeout: 120_000 },
    () => {
      const dir = join(scratch, 'spawn');
      write(
        'spawn/tsconfig.json',
        JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
      );
      write(
        'spawn/apps/server/src/probe.ts',
        "import { execFileSync } from 'node:child_process';\nexport const x = execFileSync;\n",
      );
      const r = tool('depcruise', ['apps', '--config', join(root, '.dependency-cruiser.cjs')], dir);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain('one-owner-of-child-processes');
    },
  );
});
