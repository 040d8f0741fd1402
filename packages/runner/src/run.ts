// One run, end to end: compile → static checks → verifier → attach → target runs → checks.
// Student-caused failures end the run as data in the result; only a broken platform throws,
// and even that is caught here and reported as an infrastructure error that costs no attempt.
import { unlinkSync, writeFileSync } from 'node:fs';
import type { Exercise } from '@ebpf-lab/exercises';
import { summary as summarize, verdict } from '@ebpf-lab/grader';
import { newErrorId } from '@ebpf-lab/protocol';
import type {
  CheckResult,
  Diagnostic,
  ErrorKind,
  LoaderConfig,
  LoaderLine,
  RunResult,
  StageName,
  StageResult,
} from '@ebpf-lab/protocol';
import { STUDENT_FILE } from './compile/flags.ts';
import { hideKernelAddresses } from './kernel-addresses.ts';
import { LOADER_OUTPUT_LIMIT } from './loader/index.ts';
import { ObservationCollector } from './observations.ts';
import { paths } from './paths.ts';
import { runObjectPath } from './run-object.ts';
import { drawSecret, prepareScenarios } from './scenarios.ts';
import type { LabRunner, RunProgress, RunRequest } from './types.ts';
import type { RunnerDeps } from './deps.ts';

const RECORD_CAP = 4096;
export const CHECK_ONLY_SUMMARY =
  'Compiled, and passed the static checks. Checked only: nothing was loaded, so the verifier, the target and the checks did not run.';
const SYSCALL_CAP = 20_000;
/** What a run shows of its maps after all its scenarios, together. */
const MAP_DUMP_ENTRIES = 2048;
const MAP_DUMP_BYTES = 1024 * 1024;
/**
 * The verifier's budget, in the loader's processor time, for all of a run's programs. The
 * reference solutions need at most ~2,000 instructions and a few milliseconds; eight programs of
 * 600,000 took 4 s here, and cost as much on every event they run for.
 */
const VERIFY_MS = 2000;
const VERIFIED_INSNS = 200_000;

interface StageFailure {
  kind: ErrorKind;
  summary: string;
}

/** Builds the result incrementally and streams stage progress as it goes. */
class RunTracker {
  readonly stages: StageResult[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private current?: { name: StageName; startedAt: number };
  private readonly t0 = performance.now();

  constructor(private readonly emit: (p: RunProgress) => void) {}

  start(name: StageName): void {
    this.current = { name, startedAt: performance.now() };
    this.emit({ type: 'stage', stage: name, state: 'started' });
  }

  finish(status: StageResult['status'], log?: string, truncated?: boolean): void {
    if (!this.current) return;
    const result: StageResult = {
      name: this.current.name,
      status,
      durationMs: Math.round((performance.now() - this.current.startedAt) * 10) / 10,
    };
    if (log !== undefined) result.log = log;
    if (truncated) result.truncated = true;
    this.stages.push(result);
    this.emit({ type: 'stage', stage: this.current.name, state: 'finished', result });
    this.current = undefined;
  }

  /** Marks the stages that never ran after a failure, so the student sees where it stopped. */
  skipRest(order: readonly StageName[]): void {
    const done = new Set(this.stages.map((s) => s.name));
    for (const name of order) {
      if (!done.has(name)) this.stages.push({ name, status: 'skipped', durationMs: 0 });
    }
  }

  get elapsedMs(): number {
    return Math.round(performance.now() - this.t0);
  }
}

const STAGE_ORDER: readonly StageName[] = [
  'compile',
  'static',
  'verifier',
  'attach',
  'target',
  'checks',
];

/** The verifier's statistics of an accepted object, as the verifier stage's log. */
function statsLog(stats: NonNullable<RunResult['verifierStats']>): string {
  return stats
    .map(
      (s) =>
        `${s.program} (${s.section}): ${s.insns} instructions` +
        (s.verifiedInsns === undefined ? '' : `, ${s.verifiedInsns} processed by the verifier`),
    )
    .join('\n');
}

function firstError(diags: Diagnostic[]): Diagnostic | undefined {
  return diags.find((d) => d.severity === 'error');
}

function where(d: Diagnostic | undefined): string {
  if (!d) return '';
  return d.line > 0 ? ` Line ${d.line}: ${d.message}` : ` ${d.message}`;
}

export function createRunner(deps: RunnerDeps): LabRunner {
  return {
    async run(request: RunRequest, onProgress, signal): Promise<RunResult> {
      const startedAt = new Date().toISOString();
      const exercise = deps.exercises.get(request.exerciseId);
      const track = new RunTracker(onProgress);
      const base = {
        runId: request.runId,
        exerciseId: request.exerciseId,
        startedAt,
        versions: await deps.versions(exercise),
      };
      const finish = (
        status: RunResult['status'],
        summary: string,
        extra: Partial<RunResult> = {},
      ): RunResult => {
        track.skipRest(STAGE_ORDER);
        return {
          ...base,
          status,
          gradable: extra.errorKind !== 'infrastructure',
          summary,
          stages: track.stages,
          checks: [],
          diagnostics: track.diagnostics,
          observations: [],
          limits: [],
          durationMs: track.elapsedMs,
          ...extra,
        };
      };

      if (!exercise) {
        return finish('error', `There is no exercise "${request.exerciseId}".`, {
          errorKind: 'infrastructure',
        });
      }
      try {
        return await runExercise(exercise, request, track, deps, finish, onProgress, signal);
      } catch (e) {
        const errorId = newErrorId();
        deps.log?.(`run ${request.runId} failed in the platform (error id ${errorId})`, e);
        return finish(
          'error',
          `The lab itself failed during this run (error id ${errorId}). This attempt does not count; try again.`,
          { errorKind: 'infrastructure' },
        );
      }
    },
  };
}

type Finish = (
  status: RunResult['status'],
  summary: string,
  extra?: Partial<RunResult>,
) => RunResult;

async function runExercise(
  exercise: Exercise,
  request: RunRequest,
  track: RunTracker,
  deps: RunnerDeps,
  finish: Finish,
  onProgress: (p: RunProgress) => void,
  signal?: AbortSignal,
): Promise<RunResult> {
  const { meta } = exercise;

  // 1. Compile in the sandbox.
  track.start('compile');
  const compiled = await deps.compile(request.code, signal);
  track.diagnostics.push(...compiled.diagnostics);
  if (!compiled.ok || !compiled.object) {
    track.finish('failed', compiled.log, compiled.logTruncated);
    if (compiled.limit)
      return finish('error', compiled.limit, { errorKind: 'limit', limits: [compiled.limit] });
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error').length;
    return finish(
      'error',
      `Your code did not compile (${errors || 'an'} error${errors === 1 ? '' : 's'}).${where(firstError(compiled.diagnostics))}`,
      { errorKind: 'compile' },
    );
  }
  track.finish('ok', compiled.log || undefined, compiled.logTruncated);

  // 2. Static checks of the object, before anything reaches the kernel.
  track.start('static');
  const checked = await deps.checkObject(compiled.object, meta, request.code);
  track.diagnostics.push(...checked.diagnostics);
  if (!checked.ok) {
    track.finish(
      'failed',
      checked.diagnostics.map((d) => (d.line ? `line ${d.line}: ` : '') + d.message).join('\n'),
    );
    return finish(
      'error',
      `Your program was refused before loading.${where(firstError(checked.diagnostics))}`,
      {
        errorKind: 'static',
      },
    );
  }
  track.finish('ok');
  if (request.checkOnly) {
    return finish('pass', CHECK_ONLY_SUMMARY);
  }

  // 3-5. Load (verifier), attach, run the target once per scenario.
  // The object goes to the loader as a file: one file, not a directory of its own (creating and
  // removing a directory per run cost the event loop several file-system round trips). The name
  // is unguessable and the file created exclusively, so nothing else can be put in its place.
  // Written and removed synchronously: a few system calls on the page cache (~80 µs of CPU here),
  // where fs/promises' thread-pool round trips cost ~350 µs of CPU per run.
  const objectPath = runObjectPath();
  try {
    writeFileSync(objectPath, compiled.object, { flag: 'wx', mode: 0o600 });
    const secret = drawSecret(meta.secret);
    const { scenarios, planted } = prepareScenarios(meta, secret, paths.target(meta.id));
    const config: LoaderConfig = {
      object: objectPath,
      maps: checked.maps ?? [],
      observe: meta.observe,
      scenarios,
      cgroup: deps.cgroupFor(request.runId),
      limits: {
        memoryBytes: meta.limits.memoryBytes,
        pids: meta.limits.pids,
        maxRecords: Math.min(meta.limits.maxRecords, RECORD_CAP),
        maxSyscalls: SYSCALL_CAP,
        maxMapEntries: 256,
        mapDumpEntries: MAP_DUMP_ENTRIES,
        mapDumpBytes: MAP_DUMP_BYTES,
        maxOutputBytes: 64 * 1024,
        mapMemoryBytes: meta.limits.memoryBytes,
        verifyMs: VERIFY_MS,
        verifiedInsns: VERIFIED_INSNS,
      },
    };
    const titles = new Map(meta.scenarios.map((s) => [s.id, s.title]));
    const collector = new ObservationCollector(planted);
    let failure: StageFailure | undefined;
    let verifierStats: RunResult['verifierStats'];
    let sawDone = false;
    let attached = false;

    track.start('verifier');
    const onLine = (line: LoaderLine) => {
      collector.add(line);
      switch (line.type) {
        case 'loaded':
          verifierStats = line.programs.map((p) => ({
            program: p.name,
            section: p.section,
            insns: p.insns,
            ...(p.verifiedInsns === undefined ? {} : { verifiedInsns: p.verifiedInsns }),
          }));
          track.finish('ok', statsLog(verifierStats));
          track.start('attach');
          break;
        case 'verifier_error': {
          // The object's line info names the file as clang saw it on stdin; the student knows it
          // by STUDENT_FILE, and the explanation only keeps lines of that file.
          const log = hideKernelAddresses(line.log).replaceAll('@ <stdin>:', `@ ${STUDENT_FILE}:`);
          track.finish('failed', log);
          const d = deps.explainVerifierLog(log, {
            program: line.program,
            errno: line.errno,
            source: request.code,
          });
          track.diagnostics.push(d);
          const refused = d.program || line.program;
          failure = {
            kind: 'verifier',
            summary: refused ? `The verifier rejected ${refused}.${where(d)}` : `${d.message}.`,
          };
          break;
        }
        case 'object_refused': {
          // The static checks and libbpf read the object differently: a hand-made section.
          track.finish('failed', line.message);
          const d: Diagnostic = {
            source: 'static',
            severity: 'error',
            line: 0,
            column: 0,
            code: 'static/object-mismatch',
            message: `${line.message}; remove hand-written sections and assembly that describe maps`,
          };
          track.diagnostics.push(d);
          failure = {
            kind: 'static',
            summary: `Your program was refused before loading. ${d.message}.`,
          };
          break;
        }
        case 'limit':
          // A limit hit before the programs run (their maps' memory, verification time) ends the
          // run, as does one on the loader's output (the runner stopped it there).
          if (!attached || line.name === LOADER_OUTPUT_LIMIT) {
            track.finish('failed', line.message);
            failure = { kind: 'limit', summary: `Your program was stopped: ${line.message}.` };
          }
          break;
        case 'attach_error': {
          track.finish('failed', `${line.section}: ${line.message}`);
          const d = deps.explainAttachError(line, request.code);
          track.diagnostics.push(d);
          failure = {
            kind: 'attach',
            summary: `${line.program} could not be attached: ${d.message}`,
          };
          break;
        }
        case 'attached':
          attached = true;
          track.finish('ok');
          track.start('target');
          break;
        case 'scenario_start':
          onProgress({
            type: 'event',
            event: {
              kind: 'scenario',
              scenario: line.scenario,
              title: titles.get(line.scenario) ?? line.scenario,
            },
          });
          break;
        case 'submit':
          onProgress({
            type: 'event',
            event: { kind: 'submit', scenario: line.scenario, record: line.record },
          });
          break;
        case 'debug':
          onProgress({
            type: 'event',
            event: { kind: 'debug', scenario: line.scenario, record: line.record },
          });
          break;
        case 'lost_events':
          // The record of what the target did is incomplete, and the checks compare the
          // student's submissions with it: grading now could fail a correct program. The target
          // and the ring are the lab's, so this is the lab's error and costs no attempt.
          failure ??= {
            kind: 'infrastructure',
            summary:
              `The lab lost ${line.count} of the target's traced calls in scenario ` +
              `${line.scenario} (they came faster than the lab could record them), so this run ` +
              "was not graded. This is not your program's fault and the attempt does not count; " +
              'run it again.',
          };
          break;
        case 'done':
          sawDone = true;
          break;
        case 'fatal':
          throw new Error(`loader: ${line.message}`);
        default:
          break;
      }
    };
    await deps.runLoader(config, onLine, signal);
    const observations = collector.result();
    const limits = collector.allLimits();

    if (failure) {
      // a failure found after the programs ran (lost events) ends the target stage here
      track.finish('failed', failure.summary);
      return finish('error', failure.summary, {
        errorKind: failure.kind,
        observations,
        limits,
        ...(verifierStats ? { verifierStats } : {}),
      });
    }
    if (!sawDone) throw new Error('loader ended without reporting done');
    track.finish('ok', undefined);

    // 6. Checks: a pure function of the observations.
    track.start('checks');
    const checks: CheckResult[] = deps.grade(meta, { observations, object: checked.facts });
    for (const check of checks) onProgress({ type: 'check', check });
    const status = verdict(checks);
    track.finish(status === 'pass' ? 'ok' : 'failed');
    const summary = summarize(checks);
    return finish(
      status,
      limits.length ? `${summary} Limits hit: ${limits.join('; ')}.` : summary,
      {
        checks,
        observations,
        limits,
        ...(verifierStats ? { verifierStats } : {}),
      },
    );
  } finally {
    try {
      unlinkSync(objectPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
