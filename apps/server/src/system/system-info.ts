// What the health route reports about the machine: kernel, clang and libbpf versions (as run
// results report them), and whether BPF programs can be loaded. The load probe spawns a process,
// so its result is cached and concurrent callers share one probe.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { getToolVersions } from '@ebpf-lab/runner';

export interface SystemInfo {
  kernel: string;
  clang: string | null;
  libbpf: string | null;
  bpf: { ok: boolean; via: string; detail?: string };
  checkedAt: string;
}

export interface SystemProbe {
  info(): Promise<SystemInfo>;
}

const PROBE_TIMEOUT_MS = 5000;

function exec(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ ok: !err, out: err ? `${stderr || err.message}`.trim() : stdout.trim() });
    });
  });
}

/**
 * Loads a trivial program without attaching it: the verifier runs, nothing executes. The lab's
 * own loader does it once built; before that bpftool's feature probe does the same.
 */
async function bpfLoads(loaderPath: string): Promise<SystemInfo['bpf']> {
  if (existsSync(loaderPath)) {
    const r = await exec(loaderPath, ['--probe']);
    return r.ok ? { ok: true, via: 'loader' } : { ok: false, via: 'loader', detail: r.out.slice(0, 500) };
  }
  const r = await exec('bpftool', ['-j', 'feature', 'probe', 'kernel']);
  if (!r.ok) return { ok: false, via: 'bpftool', detail: r.out.slice(0, 500) };
  try {
    const probe = JSON.parse(r.out) as { program_types?: Record<string, boolean> };
    const ok = probe.program_types?.have_tracepoint_prog_type === true;
    return ok ? { ok, via: 'bpftool' } : { ok, via: 'bpftool', detail: 'tracepoint programs cannot be loaded' };
  } catch {
    return { ok: false, via: 'bpftool', detail: 'unreadable bpftool output' };
  }
}

export function createSystemProbe(opts: { loaderPath: string; ttlMs?: number }): SystemProbe {
  const ttlMs = opts.ttlMs ?? 60_000;
  let cached: { at: number; info: Promise<SystemInfo> } | undefined;
  return {
    info() {
      if (!cached || performance.now() - cached.at > ttlMs) {
        // The same versions a run result reports.
        const { clang, libbpf } = getToolVersions();
        const info = bpfLoads(opts.loaderPath).then((bpf) => ({
          kernel: release(),
          clang: clang === 'unknown' ? null : clang,
          libbpf: libbpf === 'unknown' ? null : libbpf,
          bpf,
          checkedAt: new Date().toISOString(),
        }));
        cached = { at: performance.now(), info };
      }
      return cached.info;
    },
  };
}
