// Results of earlier compiles, so that an unchanged resubmission skips the compiler. Kept in
// the server's memory (lost on restart, nothing on disk to go stale or be tampered with),
// bounded in bytes, least recently used first out.
//
// The key is a hash of everything the result depends on: the source, the flags, the content of
// every header a compile can read (the include dir with vmlinux.h, lab.h and the PCH, and the
// libbpf headers) and the compiler's identity (the clang binary and its resource dir). Both
// compile paths give byte-identical results, so which one ran is not part of the key.
//
// The headers' part (~100 files) is hashed once and kept until a change is reported in one of
// their directories, which are watched (inotify): walking and stating them for every compile cost
// 0.5–1.8 ms of the server's event loop per run.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CompileResult } from './outcome.ts';

export interface CacheKeyInputs {
  source: string;
  flags: string[];
  /** Directories (read recursively) and files whose content the compile can read. */
  headers: string[];
  /** The compiler binary and its resource dir, by path and file identity. */
  compiler: string[];
}

/** Content hashes of files, recomputed only when a file's size, mtime or inode change. */
const fileHashes = new Map<string, { stamp: string; hash: string }>();

function filesUnder(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.name.includes('.tmp'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() || e.isFile() ? filesUnder(join(path, e.name)) : []));
}

function stampOf(file: string): string {
  const st = statSync(file);
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

function contentHash(file: string): string {
  const stamp = stampOf(file);
  const known = fileHashes.get(file);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  fileHashes.set(file, { stamp, hash });
  return hash;
}

/** Length-prefixed fields, so the end of one is never read as the start of the next. */
function fields(h: ReturnType<typeof createHash>): (s: string) => void {
  return (s) => h.update(`${Buffer.byteLength(s)}:${s}`);
}

function directoriesUnder(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [dirname(path)];
  return [
    path,
    ...readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => directoriesUnder(join(path, e.name))),
  ];
}

interface HeadersFingerprint {
  hash: string;
  /** A watched directory reported a change (or could not be watched): hash again. */
  stale: boolean;
  watchers: FSWatcher[];
}

/** By the list of header roots they were taken of. */
const fingerprints = new Map<string, HeadersFingerprint>();

/** The hash of every header file under `roots`, by path and content. */
function headersFingerprint(roots: string[]): string {
  const id = roots.join('\0');
  const known = fingerprints.get(id);
  if (known && !known.stale) return known.hash;
  for (const w of known?.watchers ?? []) w.close();
  const entry: HeadersFingerprint = { hash: '', stale: false, watchers: [] };
  const changed = () => {
    entry.stale = true;
  };
  // Watched before they are read: a change while they are hashed marks this hash stale.
  for (const dir of new Set(roots.flatMap(directoriesUnder))) {
    try {
      const watcher = watch(dir, { persistent: false }, changed);
      watcher.on('error', changed);
      entry.watchers.push(watcher);
    } catch {
      // Out of inotify watches: hash again for every key, as if every call saw a change.
      changed();
    }
  }
  const h = createHash('sha256');
  const field = fields(h);
  try {
    for (const root of roots) {
      for (const file of filesUnder(root)) {
        field(file);
        field(contentHash(file));
      }
    }
  } catch (e) {
    for (const w of entry.watchers) w.close();
    fingerprints.delete(id);
    throw e;
  }
  entry.hash = h.digest('hex');
  fingerprints.set(id, entry);
  return entry.hash;
}

export function cacheKey(k: CacheKeyInputs): string {
  const h = createHash('sha256');
  const field = fields(h);
  for (const f of k.flags) field(f);
  field(headersFingerprint(k.headers));
  for (const c of k.compiler) {
    field(c);
    field(stampOf(c));
  }
  field(k.source);
  return h.digest('hex');
}

/** Only results that another compile of the same input would give again are kept. */
export function cacheable(r: CompileResult): boolean {
  return (
    r.via !== 'cache' &&
    !r.limit &&
    !r.diagnostics.some((d) => d.code === 'compile/crash' || d.code === 'compile/limit')
  );
}

function sizeOf(r: CompileResult): number {
  return (
    (r.object?.length ?? 0) +
    Buffer.byteLength(r.log) +
    Buffer.byteLength(JSON.stringify(r.diagnostics))
  );
}

export class CompileCache {
  private readonly entries = new Map<string, { result: CompileResult; bytes: number }>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): CompileResult | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Most recently used goes last; eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.result;
  }

  set(key: string, result: CompileResult): void {
    const bytes = sizeOf(result);
    if (bytes > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { result, bytes });
    this.bytes += bytes;
    for (const [k] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}
