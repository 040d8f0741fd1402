// Each workspace (apps/*, packages/*) declares what its own files import: what its shipped code
// imports under `dependencies`, what only its tests and type annotations need under
// `devDependencies`, and `@types/*` never among the runtime ones. Hoisting in node_modules would
// hide a missing edge; this reads the imports themselves.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKSPACES = ['apps', 'packages'].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(dir, name)),
);
const SOURCE = /\.(ts|tsx|mts)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'fixtures']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIPPED_DIRS.has(name) ? [] : files(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every package a file imports, and whether only as types. */
function importsOf(text: string): { name: string; typeOnly: boolean }[] {
  const found: { name: string; typeOnly: boolean }[] = [];
  const patterns = [
    /^\s*import\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm,
    /^\s*export\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm,
    /^\s*import\s+()'([^']+)'/gm,
    /\bimport\(()'([^']+)'\)/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const name = packageOf(m[2].replace(/\?.*$/, ''));
      if (name) found.push({ name, typeOnly: Boolean(m[1]) });
    }
  }
  return found;
}

const isTest = (path: string) =>
  /\.(test|spec)\.tsx?$/.test(path) ||
  /\/(test|test-utils|e2e)\//.test(path) ||
  path.endsWith('vite.config.ts');

describe('each workspace declares its own dependencies', () => {
  for (const workspace of WORKSPACES) {
    it(workspace, () => {
      const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const runtime = new Set(Object.keys(manifest.dependencies ?? {}));
      const dev = new Set(Object.keys(manifest.devDependencies ?? {}));
      const problems: string[] = [];
      for (const name of runtime) {
        if (name.startsWith('@types/')) problems.push(`${name} is a runtime dependency`);
      }
      const dir = join(root, workspace);
      const sources = [...files(dir)];
      for (const file of sources) {
        const rel = relative(root, file);
        for (const { name, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
          if (name === manifest.name) continue;
          const needsRuntime = !isTest(rel) && !typeOnly;
          if (needsRuntime && !runtime.has(name))
            problems.push(`${rel} imports ${name}, not in dependencies`);
          else if (!runtime.has(name) && !dev.has(name))
            problems.push(`${rel} imports ${name}, not declared`);
        }
      }
      expect([...new Set(problems)]).toEqual([]);
    });
  }

  it('finds an undeclared import (the check can fail)', () => {
    const imports = importsOf(
      "import { x } from 'left-pad';\nimport type { Y } from '@scope/lib/sub';\n",
    );
    expect(imports).toEqual([
      { name: 'left-pad', typeOnly: false },
      { name: '@scope/lib', typeOnly: true },
    ]);
  });
});
