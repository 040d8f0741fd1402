// Stamp files under build/.stamps/: one per step, holding the hash of everything the step read.
// A step is skipped when its stamp matches and its outputs exist.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.vite', 'coverage']);

/** Every file under `dir` (or `dir` itself when it is a file), sorted, skipping build output. */
export function listFiles(dir) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIP_DIRS.has(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/**
 * Hash of a list of inputs: paths (files or directories, hashed by relative name and content)
 * and plain strings prefixed with `=` (versions, flags).
 */
export function hashInputs(inputs, root) {
  const h = createHash('sha256');
  for (const input of inputs) {
    if (input.startsWith('=')) {
      h.update(`value:${input}\0`);
      continue;
    }
    const files = listFiles(input);
    if (files.length === 0) h.update(`missing:${relative(root, input)}\0`);
    for (const f of files) {
      h.update(`file:${relative(root, f)}\0`);
      h.update(readFileSync(f));
      h.update('\0');
    }
  }
  return h.digest('hex');
}

export class Stamps {
  constructor(dir) {
    this.dir = dir;
  }

  path(name) {
    return join(this.dir, `${name}.sha256`);
  }

  read(name) {
    const p = this.path(name);
    return existsSync(p) ? readFileSync(p, 'utf8').trim() : null;
  }

  /** True when the stamp holds `hash` and every output exists. */
  fresh(name, hash, outputs = []) {
    return this.read(name) === hash && outputs.every((o) => existsSync(o));
  }

  write(name, hash) {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.path(name), `${hash}\n`);
  }
}
