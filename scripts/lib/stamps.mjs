// Stamp files under build/.stamps/: one per step, holding the hash of everything the step read
// and of what it wrote. A step is skipped when its inputs hash the same and its outputs are still
// the bytes it wrote (an output rewritten by hand is rebuilt, not trusted).
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

export function hashFile(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Hash of a list of inputs: paths (files or directories, each file by its name inside the input
 * and its content) and plain strings prefixed with `=` (versions, flags). Where an input lives
 * does not count, so a moved checkout stays up to date; a step whose output depends on a path
 * says so with a `=` value.
 */
export function hashInputs(inputs) {
  const h = createHash('sha256');
  for (const [i, input] of inputs.entries()) {
    h.update(`input ${i}\0`);
    if (input.startsWith('=')) {
      h.update(`value:${input}\0`);
      continue;
    }
    const files = listFiles(input);
    if (files.length === 0) h.update('missing\0');
    for (const f of files) {
      h.update(`file:${relative(input, f)}\0`);
      h.update(readFileSync(f));
      h.update('\0');
    }
  }
  return h.digest('hex');
}

/**
 * Puts the freshly generated `tmp` in place of `dest` only when their bytes differ, so an
 * unchanged file keeps its modification time (clang refuses a PCH whose headers' times moved).
 * Returns true when `dest` changed.
 */
export function replaceIfChanged(tmp, dest) {
  if (existsSync(dest) && readFileSync(tmp).equals(readFileSync(dest))) {
    rmSync(tmp, { force: true });
    return false;
  }
  renameSync(tmp, dest);
  return true;
}

export class Stamps {
  constructor(dir) {
    this.dir = dir;
  }

  path(name) {
    return join(this.dir, `${name}.json`);
  }

  read(name) {
    try {
      return JSON.parse(readFileSync(this.path(name), 'utf8'));
    } catch {
      return null;
    }
  }

  /** True when the stamp holds `hash` and every output exists with the bytes recorded for it. */
  fresh(name, hash, outputs = []) {
    const stamp = this.read(name);
    if (stamp?.inputs !== hash || stamp.outputs?.length !== outputs.length) return false;
    return outputs.every((o, i) => existsSync(o) && hashFile(o) === stamp.outputs[i]);
  }

  write(name, hash, outputs = []) {
    mkdirSync(this.dir, { recursive: true });
    const stamp = { inputs: hash, outputs: outputs.map(hashFile) };
    writeFileSync(this.path(name), `${JSON.stringify(stamp)}\n`);
  }
}
