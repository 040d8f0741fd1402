// What the health route reports: kernel, clang and libbpf versions (as run results report them),
// whether BPF programs load, and the self-check, one real run end to end (self-check.ts). The
// checks run at start-up and then at most once per interval, in the background: a request is
// answered from the latest results at once and never waits for a run.
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { runProcess, toolVersions } from '@ebpf-lab/runner';
import type { SelfCheckResult } from './self-check.ts';

export interface BpfProbeResult {
  ok: boolean;
  via: string;
  detail?: string;
}

export interface SystemInfo {
  /** `starting` until the first checks finish; `degraded` when any check failed. */
  status: 'starting' | 'ok' | 'degraded';
  kernel: string;
  clang: string | null;
  libbpf: string | null;
  /** null until the first probe finished. */
  bpf: BpfProbeResult | null;
  /** null until the first self-check finished, or when none is configured. */
  selfCheck: SelfCheckResult | null;
  /** When the latest results were taken (null before the first). */
  checkedAt: string | null;
}

export interface SystemProbe {
  /** The latest results, at once; starts new checks when these are older than the interval. */
  info(): SystemInfo;
  /** Runs the checks now (or joins the ones running) and resolves with their results. */
  refresh(): Promise<SystemInfo>;
}

const PROBE_TIMEOUT_MS = 5000;

async function exec(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await runProcess(cmd, args, {
    timeoutMs: PROBE_TIMEOUT_MS,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (r.code === 0) return { ok: true, out: r.stdout.toString('utf8').trim() };
  const why = r.spawnError ?? (r.timedOut ? `timed out after ${PROBE_TIMEOUT_MS} ms` : '');
  return { ok: false, out: (r.stderr.toString('utf8') || why || `exit ${r.code}`).trim() };
}

/**
 * Loads a trivial program without attaching it: the verifier runs, nothing executes. The lab's
 * own loader does it once built; before that bpftool's feature probe does the same.
 */
async function bpfLoads(loaderPath: string): Promise<BpfProbeResult> {
  if (existsSync(loaderPath)) {
    const r = await exec(loaderPath, ['--probe']);
    return r.ok
      ? { ok: true, via: 'loader' }
      : { ok: false, via: 'loader', detail: r.out.slice(0, 500) };
  }
  const r = await exec('bpftool', ['-j', 'feature', 'probe', 'kernel']);
  if (!r.ok) return { ok: false, via: 'bpftool', detail: r.out.slice(0, 500) };
  try {
    const probe = JSON.parse(r.out) as { program_types?: Record<string, boolean> };
    const ok = probe.program_types?.have_tracepoint_prog_type === true;
    return ok
      ? { ok, via: 'bpftool' }
      : { ok, via: 'bpftool', detail: 'tracepoint programs cannot be loaded' };
  } catch {
    return { ok: false, via: 'bpftool', detail: 'unreadable bpftool output' };
  }
}

export interface SystemProbeOptions {
  loaderPath: string;
  /**
   * The end-to-end run (createSelfCheck). The server always has one; without it health can only
   * say that BPF loads, which is why a server built for a test that ignores health may omit it.
   */
  selfCheck?: () => Promise<SelfCheckResult>;
  /** Checks are repeated at most this often (default: once a minute). */
  intervalMs?: number;
  /** Told about every finished round (the server logs failures and recoveries). */
  onChecked?: (info: SystemInfo) => void;
  /**
   * False for a web node of a department set-up: it grades nothing itself (its workers do), so
   * it has no loader or compiler to check, and its health is that it answers.
   */
  grades?: boolean;
}

export function createSystemProbe(opts: SystemProbeOptions): SystemProbe {
  const intervalMs = opts.intervalMs ?? 60_000;
  let latest: SystemInfo = {
    status: 'starting',
    kernel: release(),
    clang: null,
    libbpf: null,
    bpf: null,
    selfCheck: null,
    checkedAt: null,
  };
  let startedAt = -Infinity;
  let inFlight: Promise<SystemInfo> | undefined;

  const round = async (): Promise<SystemInfo> => {
    // The same versions a run result reports, read once per process.
    const { clang, libbpf } = await toolVersions();
    latest = {
      ...latest,
      clang: clang === 'unknown' ? null : clang,
      libbpf: libbpf === 'unknown' ? null : libbpf,
    };
    if (opts.grades === false) {
      latest = { ...latest, status: 'ok', checkedAt: new Date().toISOString() };
      opts.onChecked?.(latest);
      return latest;
    }
    const [bpf, selfCheck] = await Promise.all([
      bpfLoads(opts.loaderPath),
      opts.selfCheck?.() ?? null,
    ]);
    const ok = bpf.ok && latest.clang !== null && (selfCheck?.ok ?? true);
    latest = {
      ...latest,
      status: ok ? 'ok' : 'degraded',
      bpf,
      selfCheck,
      checkedAt: new Date().toISOString(),
    };
    opts.onChecked?.(latest);
    return latest;
  };

  const refresh = (): Promise<SystemInfo> => {
    if (!inFlight) {
      startedAt = performance.now();
      inFlight = round().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };

  // At start-up: the first answer should not have to wait a whole interval.
  refresh().catch(() => {});
  return {
    info() {
      if (!inFlight && performance.now() - startedAt >= intervalMs) refresh().catch(() => {});
      return latest;
    },
    refresh,
  };
}
