// vmlinux.h cut into parts. With -g, clang reads and hashes (DWARF 5 MD5) every header file a
// program's debug info names; one 2.7 MB vmlinux.h is hashed whole by every compile that uses
// one kernel type. Cut into parts of ~32 KiB, a compile reads only the parts holding the types
// it uses. The text is the same: build/include/vmlinux.h keeps bpftool's include guard and
// includes the parts in order, each a run of whole top-level declarations, so clang sees the
// same declarations in the same order and the BTF is unchanged.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** The parts' directory and file names, relative to the include dir. */
export const PARTS_DIR = 'vmlinux.d';
const partName = (i) => `${PARTS_DIR}/vmlinux-${String(i).padStart(3, '0')}.h`;

const CONDITIONAL_OPEN = /^\s*#\s*if(?:n?def)?\b/;
const CONDITIONAL_CLOSE = /^\s*#\s*endif\b/;

/**
 * Splits bpftool's vmlinux.h. Returns the new vmlinux.h and the parts (name relative to the
 * include dir, text). A part ends only at a blank line outside any brace and any #if, once it
 * holds at least `partBytes`; the include guard stays in vmlinux.h. Text that does not look
 * like bpftool's (no guard) is cut the same way, with no guard kept.
 */
export function splitVmlinux(text, partBytes = 32 * 1024) {
  // Lines without their newlines; a part or vmlinux.h gives each line its newline back.
  const ended = text.endsWith('\n');
  const lines = (ended ? text.slice(0, -1) : text).split('\n');
  // bpftool's guard: `#ifndef X` and `#define X` first, `#endif` last (before the final newline).
  const first = lines.findIndex((l) => l.trim() !== '');
  let last = lines.length - 1;
  while (last > 0 && lines[last].trim() === '') last--;
  const guarded =
    first >= 0 &&
    /^#ifndef\s+(\w+)\s*$/.test(lines[first]) &&
    lines[first + 1]?.trim() === `#define ${lines[first].trim().split(/\s+/)[1]}` &&
    CONDITIONAL_CLOSE.test(lines[last]);
  const head = guarded ? lines.slice(0, first + 2) : [];
  const body = guarded ? lines.slice(first + 2, last) : lines;
  const tail = guarded ? lines.slice(last) : [];

  const parts = [];
  let current = [];
  let size = 0;
  let braces = 0;
  let conditionals = 0;
  for (const line of body) {
    current.push(line);
    size += line.length + 1;
    if (CONDITIONAL_OPEN.test(line)) conditionals++;
    else if (CONDITIONAL_CLOSE.test(line)) conditionals--;
    else if (!line.trimStart().startsWith('#')) {
      for (const c of line) braces += c === '{' ? 1 : c === '}' ? -1 : 0;
    }
    if (line === '' && braces === 0 && conditionals === 0 && size >= partBytes) {
      parts.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length) parts.push(current);
  const named = parts.map((p, i) => ({ name: partName(i), text: `${p.join('\n')}\n` }));
  const header = [...head, ...named.map((p) => `#include "${p.name}"`), ...tail].join('\n');
  if (!ended && !guarded && named.length) named.at(-1).text = named.at(-1).text.slice(0, -1);
  return { header: ended || !guarded ? `${header}\n` : header, parts: named };
}

function writeIfChanged(path, text) {
  // Unchanged files keep their modification time: the PCH records it for every header.
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return true;
}

/** The part files in `includeDir`, sorted, as absolute paths. */
export function partFiles(includeDir) {
  const dir = join(includeDir, PARTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.h'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Writes `vmlinux.h` and its parts into `includeDir` from bpftool's whole header, leaving files
 * whose bytes are already right untouched. Parts first, the header last, so a compile meanwhile
 * finds every part the header it reads names; parts no longer named are removed. Returns the
 * number of parts and whether any file changed.
 */
export function writeVmlinuxParts(wholeHeader, includeDir) {
  const { header, parts } = splitVmlinux(readFileSync(wholeHeader, 'utf8'));
  mkdirSync(join(includeDir, PARTS_DIR), { recursive: true });
  let changed = false;
  for (const p of parts) changed = writeIfChanged(join(includeDir, p.name), p.text) || changed;
  changed = writeIfChanged(join(includeDir, 'vmlinux.h'), header) || changed;
  const keep = new Set(parts.map((p) => join(includeDir, p.name)));
  for (const f of partFiles(includeDir)) {
    if (keep.has(f)) continue;
    rmSync(f, { force: true });
    changed = true;
  }
  return { parts: parts.length, changed };
}
