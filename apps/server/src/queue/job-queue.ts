// The in-process run queue: at most `concurrency` jobs at once, the rest wait in order and are
// told their position when it changes. Each job gets an AbortSignal that fires at its timeout; a
// job that ignores it is abandoned by the watchdog so its slot is not lost forever.
//
// Every start moves every waiting job up one place, so telling each of them at once costs a
// message per waiting job per start: 50 clients submitting together got 1,176 `queued` frames, as
// many as the runs' own stage, event and check messages together. A job hears its first position
// when it is queued and 0 when it starts, at once; the moves in between are told at most once per
// `positionIntervalMs`, each job hearing only its latest position.
//
// Background jobs (an instructor re-grading a class) wait in the same line but run at most
// `backgroundConcurrency` at a time, so a class's re-runs never take every slot from students'
// live runs; they do not count against `maxQueued`, so they never make the lab busy for students.

export interface JobQueueOptions {
  concurrency: number;
  /** The job's signal is aborted after this long. */
  jobTimeoutMs: number;
  /** After the abort, how long the job may take to settle before the queue gives up on it. */
  watchdogMs: number;
  /** Jobs allowed to wait; beyond that `enqueue` refuses with QueueFullError. */
  maxQueued: number;
  /** Background jobs running at once (default 1). */
  backgroundConcurrency?: number;
  /** Waiting jobs hear their new positions at most this often (default 1 s). */
  positionIntervalMs?: number;
}

export interface EnqueueOptions {
  /** Runs after the foreground jobs waiting ahead of it, never more than the background cap. */
  background?: boolean;
}

export interface JobMetrics {
  running: number;
  queued: number;
  completed: number;
  failed: number;
  timedOut: number;
  abandoned: number;
  cancelled: number;
  /** Mean wait before starting and mean run time over the last completed jobs. */
  meanWaitMs: number;
  meanRunMs: number;
}

export class QueueFullError extends Error {}
/** The job ran past its timeout (it was aborted) and then past the watchdog. */
export class JobAbandonedError extends Error {}
export class JobCancelledError extends Error {}

export interface JobHandle<T> {
  result: Promise<T>;
  /** Removes a waiting job, or aborts a running one. */
  cancel(): void;
}

interface Job {
  work: (signal: AbortSignal) => Promise<unknown>;
  onPosition: (position: number) => void;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  controller: AbortController;
  enqueuedAt: number;
  timedOut: boolean;
  background: boolean;
  /** The last position the job was told (0: none yet). */
  told: number;
}

const WINDOW = 100;
const POSITION_INTERVAL_MS = 1000;

export class JobQueue {
  private readonly waiting: Job[] = [];
  private running = 0;
  private runningBackground = 0;
  private readonly counts = { completed: 0, failed: 0, timedOut: 0, abandoned: 0, cancelled: 0 };
  private readonly waits: number[] = [];
  private readonly runs: number[] = [];
  /** When waiting jobs were last told their positions, and the pending later telling. */
  private announcedAt = -Infinity;
  private announceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobQueueOptions) {}

  /**
   * Queues `work`. `onPosition` hears 1, 2, … while the job waits (1 = next to start: its first
   * position at once, its moves at most once per interval) and 0 when it starts.
   */
  enqueue<T>(
    work: (signal: AbortSignal) => Promise<T>,
    onPosition: (position: number) => void = () => {},
    options: EnqueueOptions = {},
  ): JobHandle<T> {
    const background = options.background ?? false;
    if (!background && !this.hasRoom()) {
      throw new QueueFullError(`the lab is busy: ${this.opts.maxQueued} runs are already waiting`);
    }
    let job!: Job;
    const result = new Promise<T>((resolve, reject) => {
      job = {
        work,
        onPosition,
        resolve: resolve as (v: unknown) => void,
        reject,
        controller: new AbortController(),
        enqueuedAt: performance.now(),
        timedOut: false,
        background,
        told: 0,
      };
    });
    this.waiting.push(job);
    this.pump();
    const position = this.positions().get(job) ?? 0;
    if (position > 0) this.tell(job, position);
    return {
      result,
      cancel: () => {
        const i = this.waiting.indexOf(job);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          this.counts.cancelled++;
          job.reject(new JobCancelledError('the run was cancelled before it started'));
          this.announcePositions();
        } else {
          job.controller.abort(new JobCancelledError('the run was cancelled'));
        }
      },
    };
  }

  /** False when a new (foreground) job would be refused. */
  hasRoom(): boolean {
    const waiting = this.waiting.filter((job) => !job.background).length;
    return waiting < this.opts.maxQueued || this.running < this.opts.concurrency;
  }

  metrics(): JobMetrics {
    const mean = (xs: number[]) =>
      xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0;
    return {
      running: this.running,
      queued: this.waiting.length,
      ...this.counts,
      meanWaitMs: mean(this.waits),
      meanRunMs: mean(this.runs),
    };
  }

  private record(list: number[], ms: number): void {
    list.push(ms);
    if (list.length > WINDOW) list.shift();
  }

  private get backgroundCap(): number {
    return this.opts.backgroundConcurrency ?? 1;
  }

  /**
   * Each waiting job's position: 1 + the jobs that will start before it, that is every foreground
   * job ahead of it and the background jobs ahead of it that have a background slot free.
   */
  private positions(): Map<Job, number> {
    const positions = new Map<Job, number>();
    let backgroundSlots = this.backgroundCap - this.runningBackground;
    let ahead = 0;
    for (const job of this.waiting) {
      positions.set(job, ahead + 1);
      if (!job.background) ahead++;
      else if (backgroundSlots > 0) {
        backgroundSlots--;
        ahead++;
      }
    }
    return positions;
  }

  /** False when the job already knew its position. */
  private tell(job: Job, position: number): boolean {
    if (position === job.told) return false;
    job.told = position;
    job.onPosition(position);
    return true;
  }

  /** Tells waiting jobs their new positions now, or once the interval since the last is over. */
  private announcePositions(): void {
    if (this.announceTimer) return;
    const interval = this.opts.positionIntervalMs ?? POSITION_INTERVAL_MS;
    const wait = this.announcedAt + interval - performance.now();
    if (wait <= 0) return this.announceNow();
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined;
      this.announceNow();
    }, wait);
    // Waiting jobs keep the process busy anyway; a queue left with none must not hold it open.
    this.announceTimer.unref();
  }

  /** The interval starts with a telling that told anyone anything. */
  private announceNow(): void {
    let told = false;
    for (const [job, position] of this.positions()) told = this.tell(job, position) || told;
    if (told) this.announcedAt = performance.now();
  }

  /** The first waiting job that may start now: background jobs wait while their cap is full. */
  private nextStartable(): number {
    const backgroundFull = this.runningBackground >= this.backgroundCap;
    return this.waiting.findIndex((job) => !(job.background && backgroundFull));
  }

  private pump(): void {
    let started = false;
    while (this.running < this.opts.concurrency) {
      const next = this.nextStartable();
      if (next < 0) break;
      this.start(this.waiting.splice(next, 1)[0]);
      started = true;
    }
    if (started) this.announcePositions();
  }

  private start(job: Job): void {
    this.running++;
    if (job.background) this.runningBackground++;
    const startedAt = performance.now();
    this.record(this.waits, startedAt - job.enqueuedAt);
    job.told = 0;
    job.onPosition(0);

    let settled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const timeout = setTimeout(() => {
      job.timedOut = true;
      job.controller.abort(
        new Error(`the run took longer than ${this.opts.jobTimeoutMs / 1000} s`),
      );
    }, this.opts.jobTimeoutMs);
    const settle = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(watchdog);
      this.running--;
      if (job.background) this.runningBackground--;
      this.record(this.runs, performance.now() - startedAt);
      if (job.timedOut) this.counts.timedOut++;
      if (ok) {
        this.counts.completed++;
        job.resolve(value);
      } else {
        this.counts.failed++;
        job.reject(value);
      }
      this.pump();
    };
    // The watchdog starts when the job is aborted, whatever aborted it.
    job.controller.signal.addEventListener('abort', () => {
      watchdog = setTimeout(() => {
        this.counts.abandoned++;
        settle(
          false,
          new JobAbandonedError(
            `the run did not stop within ${this.opts.watchdogMs} ms of being cancelled`,
          ),
        );
      }, this.opts.watchdogMs);
    });
    Promise.resolve()
      .then(() => job.work(job.controller.signal))
      .then(
        (v) => settle(true, v),
        (e) => settle(false, e),
      );
  }
}
