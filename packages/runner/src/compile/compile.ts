// Step 1 of a run: the student's C becomes a BPF object, with the precompiled lab.h, inside the
// sandbox (sandbox.ts). Three ways, all giving the same result: the cache of earlier compiles
// (cache.ts), a compile server worker (compile-server.ts), or one clang process (plain-clang.ts),
// which is also the fallback whenever the server is not there. Student-caused failures, limits
// included, are data in the result.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import { paths } from '../paths.ts';
import { CompileCache, cacheable, cacheKey } from './cache.ts';
import { CompileServer, CompileServerUnavailable } from './compile-server.ts';
import { parseClangOutput } from './diagnostics.ts';
import { compileFlags } from './flags.ts';
import type { CompileResult, RawCompile } from './outcome.ts';
import { LIMIT_MESSAGES, interpretCompile, limitDiagnostic } from './outcome.ts';
import { PCH_PROBE_SOURCE, repairPch } from './pch-repair.ts';
import { compileWithClang } from './plain-clang.ts';
import { findClang } from './sandbox.ts';

export type { CompileResult };

export interface CompileOptions {
  includeDir?: string;
  /** Precompiled lab.h; `null` compiles without one (slower: vmlinux.h is parsed each time). */
  pch?: string | null;
  signal?: AbortSignal;
  /** Force one compiler (tests, the benchmark); by default the server when it is up. */
  via?: 'server' | 'clang';
  /** Use and fill the cache of earlier compiles (default true). */
  cache?: boolean;
  /** Told when the PCH was found broken and rebuilt: the operator's business, not the student's. */
  log?: (message: string) => void;
}

/** Bytes of results the cache keeps (objects, messages). */
const CACHE_BYTES = 64 * 1024 * 1024;
const cache = new CompileCache(CACHE_BYTES);

export function clearCompileCache(): void {
  cache.clear();
}

// --- the compile server, one per process, started on first use -----------------------------

const serverBinary = join(paths.buildDir, 'native', 'compile-server');
const warmUpFile = join(paths.repoRoot, 'native', 'compile-server', 'warm-up.bpf.c');
/** After the server fails to start, compiles go to plain clang this long before a retry. */
const RETRY_AFTER_MS = 30_000;

/** Workers kept ready: one per core, at least two so that a replacement warms up meanwhile. */
export function compileWorkers(): number {
  const set = Number(process.env.LAB_COMPILE_WORKERS);
  if (Number.isInteger(set) && set > 0) return Math.min(set, 8);
  return Math.min(8, Math.max(2, availableParallelism()));
}

function serverEnabled(): boolean {
  return process.env.LAB_COMPILE_SERVER !== 'off' && existsSync(serverBinary);
}

/** Identity of the files a running server has baked in: a rebuild of either means a restart. */
function serverInputs(): string {
  try {
    return [serverBinary, paths.pch]
      .map((f) => {
        const st = statSync(f);
        return `${st.ino}:${st.size}:${st.mtimeMs}`;
      })
      .join(' ');
  } catch {
    return '';
  }
}

let server:
  | { inputs: string; ready: Promise<CompileServer | undefined>; running?: CompileServer }
  | undefined;
let failedAt = 0;

function startServer(inputs: string): Promise<CompileServer | undefined> {
  const ready = CompileServer.start({
    binary: serverBinary,
    warmUpFile,
    includeDir: paths.includeDir,
    pch: paths.pch,
    workers: compileWorkers(),
  }).then(
    (running) => {
      if (server?.ready === ready) server.running = running;
      return running;
    },
    (e: unknown) => {
      failedAt = Date.now();
      console.error(
        `compile server: ${e instanceof Error ? e.message : String(e)}; compiling with clang`,
      );
      if (server?.ready === ready) server = undefined;
      return undefined;
    },
  );
  server = { inputs, ready };
  return ready;
}

/** The running server, restarted when set-up rebuilt its binary or the PCH; starts one if none. */
function currentServer(): Promise<CompileServer | undefined> | undefined {
  if (!serverEnabled()) return undefined;
  const inputs = serverInputs();
  // A server that died, or was started for an older PCH or binary, is replaced.
  if (server && (server.inputs !== inputs || server.running?.alive === false)) {
    stopCompileServer();
  }
  if (!server) {
    if (Date.now() - failedAt < RETRY_AFTER_MS || !inputs) return undefined;
    startServer(inputs);
  }
  return server?.ready;
}

/** Starts the compile server if it is not running and waits until it serves; false if it cannot. */
export async function compileServerReady(): Promise<boolean> {
  failedAt = 0;
  const s = await currentServer();
  return Boolean(s?.alive);
}

/** The running server's sandbox process, if one is up (tests kill it to check the fallback). */
export async function compileServerPid(): Promise<number | undefined> {
  const s = await server?.ready;
  return s?.alive ? s.pid : undefined;
}

export function stopCompileServer(): void {
  const s = server;
  server = undefined;
  void s?.ready.then((running) => running?.stop());
}

async function serverOrNothing(): Promise<CompileServer | undefined> {
  const pending = currentServer();
  if (!pending) return undefined;
  // Not ready yet (it warms up for a second or so after start): plain clang meanwhile.
  const ready = await Promise.race([pending, Promise.resolve(undefined)]);
  if (ready && !ready.alive) {
    stopCompileServer();
    return undefined;
  }
  return ready;
}

// --- one compile ----------------------------------------------------------------------------

/** clang's complaint about the PCH itself (it names the precompiled header or the PCH file). */
function pchComplaint(stderr: string): string | undefined {
  return /^(?:fatal error|error): .*(?:precompiled header|PCH file|\.pch).*$/m.exec(stderr)?.[0];
}

/**
 * A compile that clang refused (exit 1: no limit, no crash) without one error in the student's
 * file failed in a header the lab provides, or on the PCH itself.
 */
function failedOutsideStudentFile(raw: RawCompile): boolean {
  if (raw.code !== 1 || raw.aborted || raw.timedOut || raw.objectTooBig) return false;
  if (pchComplaint(raw.stderr)) return true;
  return !parseClangOutput(raw.stderr).diagnostics.some((d) => d.severity === 'error');
}

export async function compile(source: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const t0 = performance.now();
  const includeDir = opts.includeDir ?? paths.includeDir;
  const pch = opts.pch === undefined ? paths.pch : opts.pch;
  const done = (r: Omit<CompileResult, 'durationMs'>): CompileResult => ({
    ...r,
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
  });

  if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) {
    const d = limitDiagnostic(LIMIT_MESSAGES.source);
    return done({
      ok: false,
      diagnostics: [d],
      log: d.message,
      limit: LIMIT_MESSAGES.source,
    });
  }

  const useCache = opts.cache !== false;
  let key: string | undefined;
  if (useCache) {
    const install = await findClang();
    key = cacheKey({
      source,
      flags: compileFlags({ includeDir, pch: pch ?? undefined }),
      headers: [includeDir, '/usr/include/bpf'],
      compiler: [install.clang, install.resourceDir],
    });
    const hit = cache.get(key);
    if (hit)
      return done({
        ...hit,
        diagnostics: structuredClone(hit.diagnostics),
        via: 'cache',
      });
  }

  // The server was started for the lab's own headers; other include dirs or no PCH go to clang.
  const standard = includeDir === paths.includeDir && pch === paths.pch;
  let raw: RawCompile | undefined;
  let via: CompileResult['via'] = 'clang';
  if (opts.via !== 'clang' && standard) {
    const s = opts.via === 'server' ? await currentServer() : await serverOrNothing();
    if (opts.via === 'server' && !s)
      throw new CompileServerUnavailable('the compile server is not running');
    if (s) {
      try {
        raw = await s.compile(source, opts.signal);
        via = 'server';
      } catch (e) {
        if (!(e instanceof CompileServerUnavailable) || opts.via === 'server') throw e;
        console.error(`compile server: ${e.message}; compiling with clang`);
        stopCompileServer();
      }
    }
  }
  raw ??= await compileWithClang(source, { includeDir, pch, signal: opts.signal });
  if (pch && failedOutsideStudentFile(raw)) {
    // A stale PCH (set-up interrupted, a header touched, the checkout moved) is rebuilt and the
    // compile retried once, with plain clang while the server restarts on the new PCH; a PCH that
    // works means the header error is the student's doing.
    const probe = async () => {
      const r = await compileWithClang(PCH_PROBE_SOURCE, { includeDir, pch });
      return r.code === 0
        ? null
        : (pchComplaint(r.stderr) ?? (r.stderr.trim().split('\n')[0] || `exit ${r.code}`));
    };
    if (await repairPch({ pch, includeDir, probe, log: opts.log })) {
      raw = await compileWithClang(source, { includeDir, pch, signal: opts.signal });
      via = 'clang';
    }
  }
  const result = done({ ...interpretCompile(raw), via });
  if (key && cacheable(result)) cache.set(key, result);
  return result;
}
