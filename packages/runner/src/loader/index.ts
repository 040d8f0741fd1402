// Drives the native loader (native/loader/): writes the run's config on its
// stdin, hands over each JSON line as it comes, and resolves as soon as `done` arrives, because
// the loader then still spends ~300 ms detaching and the verdict must not wait for that.
// Whatever happens, the run's cgroup is gone afterwards: a loader that dies or hangs is killed,
// then the runner kills and removes the cgroup it left.
import { LoaderLine } from '@ebpf-lab/protocol';
import type { LoaderConfig } from '@ebpf-lab/protocol';
import { paths } from '../paths.ts';
import { startProcess } from '../process.ts';
import { findCgroupMounts, removeRunCgroup } from './cgroups.ts';
import { LineReader } from './line-reader.ts';

export { cgroupForRun, findCgroupMounts, removeRunCgroup, sweepStaleCgroups } from './cgroups.ts';
export { mapViewOf } from './map-view.ts';
export {
  residentDispatcherEnabled,
  residentDispatcherPid,
  residentDispatcherReady,
  residentDispatcherSocket,
  stopResidentDispatcher,
} from './resident.ts';

export interface LoaderOptions {
  /** Defaults to the built loader (build/native/loader). */
  loaderPath?: string;
  /**
   * The resident dispatcher's socket to slot the run into (residentDispatcherSocket()); without
   * it, the loader attaches a dispatcher of its own for this run.
   */
  dispatcherSocket?: string;
  /** Time the loader gets to detach and exit after `done` before it is killed. */
  exitGraceMs?: number;
  /** Whole-run watchdog; defaults to the scenarios' wall time plus 30 s. */
  timeoutMs?: number;
  /** Called with the loader's pid once it started (tests kill it to check the clean-up). */
  onSpawn?: (pid: number) => void;
  /** Called once the loader has exited and the cgroup is gone (tests measure with it). */
  onCleanedUp?: (info: {
    exitedAfterDoneMs?: number;
    code: number | null;
    signal: string | null;
  }) => void;
}

/**
 * What the runner reads of one loader's output. The loader caps what it reports (records,
 * syscalls, map dumps, the verifier log), so these are the last line of defence: a student's
 * file that gets past them has hit a limit, which ends its run and counts.
 */
export const LOADER_OUTPUT_LIMITS = {
  lineBytes: 8 * 1024 * 1024,
  streamBytes: 32 * 1024 * 1024,
} as const;
/** The name of the limit line the runner reports when the loader's output passes its caps. */
export const LOADER_OUTPUT_LIMIT = 'loader-output';

const MiB = 1024 * 1024;

export async function runLoader(
  config: LoaderConfig,
  onLine: (line: LoaderLine) => void,
  signal?: AbortSignal,
  options: LoaderOptions = {},
): Promise<void> {
  const wallMs = config.scenarios.reduce((sum, s) => sum + s.wallMs, 0);
  let streamed = 0;
  let stoppedAtLimit = false;
  let sawDone = false;
  let doneAt = 0;
  let badLine: string | undefined;
  let callbackError: unknown;
  let resolveDone: () => void = () => {};
  const doneSeen = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  /** Ends the run at an output cap: named for the student, and the loader is stopped. */
  const stopAtLimit = (message: string) => {
    if (stoppedAtLimit || sawDone) return;
    stoppedAtLimit = true;
    proc.kill();
    try {
      onLine({ type: 'limit', name: LOADER_OUTPUT_LIMIT, message });
    } catch (e) {
      callbackError ??= e;
    }
  };

  const handle = (text: string) => {
    if (!text.trim() || sawDone || stoppedAtLimit) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      badLine ??= text.slice(0, 200);
      return;
    }
    const line = LoaderLine.safeParse(parsed);
    if (!line.success) {
      badLine ??= text.slice(0, 200);
      return;
    }
    try {
      onLine(line.data);
    } catch (e) {
      // The caller gave up on this run (e.g. on a `fatal` line): stop the loader, report it.
      callbackError ??= e;
      proc.kill();
      return;
    }
    if (line.data.type === 'done') {
      sawDone = true;
      doneAt = performance.now();
      resolveDone();
    }
  };

  const lines = new LineReader(LOADER_OUTPUT_LIMITS.lineBytes, handle, () =>
    stopAtLimit(
      `your run produced one result of more than ${LOADER_OUTPUT_LIMITS.lineBytes / MiB} MiB ` +
        '(a log or a map dump); it was stopped there',
    ),
  );

  const proc = startProcess(
    options.loaderPath ?? paths.loader,
    options.dispatcherSocket ? ['--dispatcher', options.dispatcherSocket] : [],
    {
      input: JSON.stringify(config),
      timeoutMs: options.timeoutMs ?? wallMs + 30_000,
      maxOutputBytes: 64 * 1024,
      signal,
      onStdout: (chunk) => {
        if (stoppedAtLimit) return;
        streamed += chunk.length;
        if (streamed > LOADER_OUTPUT_LIMITS.streamBytes) {
          stopAtLimit(
            `your run produced more than ${LOADER_OUTPUT_LIMITS.streamBytes / MiB} MiB of ` +
              'results (records, maps, logs); it was stopped there',
          );
          return;
        }
        lines.push(chunk);
      },
    },
  );

  if (proc.pid !== undefined) options.onSpawn?.(proc.pid);

  const cleanup = proc.result.then(async (res) => {
    lines.end();
    // A loader that exited normally removed the cgroup itself; this is for the killed ones.
    await removeRunCgroup(config.cgroup, findCgroupMounts());
    options.onCleanedUp?.({
      exitedAfterDoneMs: sawDone ? performance.now() - doneAt : undefined,
      code: res.code,
      signal: res.signal,
    });
    return res;
  });

  await Promise.race([doneSeen, cleanup]);
  if (sawDone) {
    // Detaching happens after `done`; give it a bounded time, then kill. Nobody awaits this.
    const grace = setTimeout(() => proc.kill(), options.exitGraceMs ?? 5_000);
    cleanup.finally(() => clearTimeout(grace)).catch(() => {});
    return;
  }
  const res = await cleanup;
  if (callbackError !== undefined) throw callbackError;
  if (stoppedAtLimit) return;
  if (res.aborted) throw new Error('the run was cancelled');
  const why = res.timedOut
    ? 'timed out'
    : res.spawnError
      ? `could not start: ${res.spawnError}`
      : `exited (code ${res.code}, signal ${res.signal})`;
  const stderr = res.stderr.toString('utf8').trim().slice(-2000);
  throw new Error(
    `loader ${why} without reporting done${badLine ? `; unreadable line: ${badLine}` : ''}${stderr ? `; stderr: ${stderr}` : ''}`,
  );
}
