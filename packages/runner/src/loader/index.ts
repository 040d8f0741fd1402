// Drives the native loader (native/loader/): hands it the run's config, hands over each JSON line
// as it comes, and resolves as soon as `done` arrives, because the loader then still detaches
// and removes the run's cgroups and the verdict must not wait for that. The loader is a child
// forked by the resident process when it runs (forked-run.ts), else a process started here:
// the same code, the same lines, chosen in startLoader() alone.
// Whatever happens, the run's cgroup is gone afterwards: a loader that dies or hangs is killed,
// then the runner kills and removes the cgroup it left.
import { LoaderLine } from '@ebpf-lab/protocol';
import type { LoaderConfig } from '@ebpf-lab/protocol';
import { paths } from '../paths.ts';
import { startProcess } from '../process.ts';
import { findCgroupMounts, removeRunCgroup } from './cgroups.ts';
import { startForkedRun } from './forked-run.ts';
import type { LoaderProcess } from './forked-run.ts';
import { LineReader } from './line-reader.ts';

export { cgroupForRun, findCgroupMounts, removeRunCgroup, sweepStaleCgroups } from './cgroups.ts';
export { mapViewOf } from './map-view.ts';
export {
  residentDispatcherEnabled,
  residentDispatcherPid,
  residentDispatcherReady,
  residentSockets,
  stopResidentDispatcher,
} from './resident.ts';
export type { ResidentSockets } from './resident.ts';

export interface LoaderOptions {
  /** Defaults to the built loader (build/native/loader). */
  loaderPath?: string;
  /**
   * The resident dispatcher's socket to slot the run into (residentSockets()); without
   * it, the loader attaches a dispatcher of its own for this run.
   */
  dispatcherSocket?: string;
  /**
   * The resident process's run socket (residentSockets()): the run is a child forked there,
   * slotted into its dispatcher. When it cannot take the run, the loader is started from here.
   */
  runSocket?: string;
  /** Time the loader gets to detach and exit after `done` before it is killed. */
  exitGraceMs?: number;
  /** Whole-run watchdog; defaults to the scenarios' wall time plus 30 s. */
  timeoutMs?: number;
  /**
   * Called with the loader's pid once it started, and whether the resident process forked it
   * (tests kill it to check the clean-up).
   */
  onSpawn?: (pid: number, forked: boolean) => void;
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
/** What is kept of the loader's stdout and stderr besides the lines (for error messages). */
const KEPT_OUTPUT_BYTES = 64 * 1024;

interface LoaderIo {
  timeoutMs: number;
  signal?: AbortSignal;
  onStdout: (chunk: Buffer) => void;
}

/**
 * The one place a run's loader starts: forked by the resident process when there is one and it
 * takes the run, else a `loader` process started from here, as before there was one.
 */
async function startLoader(
  config: LoaderConfig,
  options: LoaderOptions,
  io: LoaderIo,
): Promise<{ proc: LoaderProcess; forked: boolean }> {
  const input = JSON.stringify(config);
  let dispatcherSocket = options.dispatcherSocket;
  if (options.runSocket) {
    const forked = await startForkedRun(options.runSocket, input, {
      ...io,
      maxOutputBytes: KEPT_OUTPUT_BYTES,
    });
    if (typeof forked !== 'string') return { proc: forked, forked: true };
    // a resident process that cannot be reached, or hangs, would not slot the run in either
    if (forked === 'unavailable') dispatcherSocket = undefined;
  }
  const proc = startProcess(
    options.loaderPath ?? paths.loader,
    dispatcherSocket ? ['--dispatcher', dispatcherSocket] : [],
    { ...io, input, maxOutputBytes: KEPT_OUTPUT_BYTES },
  );
  return { proc, forked: false };
}

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

  // Lines can arrive before startLoader() returns (in the chunk that carried the pid).
  let proc: LoaderProcess | undefined;
  let killWhenStarted = false;
  const killLoader = () => {
    if (proc) proc.kill();
    else killWhenStarted = true;
  };

  /** Ends the run at an output cap: named for the student, and the loader is stopped. */
  const stopAtLimit = (message: string) => {
    if (stoppedAtLimit || sawDone) return;
    stoppedAtLimit = true;
    killLoader();
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
      killLoader();
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

  const started = await startLoader(config, options, {
    timeoutMs: options.timeoutMs ?? wallMs + 30_000,
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
  });
  const loader = started.proc;
  proc = loader;
  if (killWhenStarted) loader.kill();
  if (loader.pid !== undefined) options.onSpawn?.(loader.pid, started.forked);

  const cleanup = loader.result.then(async (res) => {
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
    const grace = setTimeout(() => loader.kill(), options.exitGraceMs ?? 5_000);
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
