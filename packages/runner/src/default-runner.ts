// The runner wired to the real pieces: the compile sandbox, the static checks, the native
// loader, the diagnostics and the grader. The server, the command-line grader, the benchmark
// and the content tests all build their runner here, so they grade exactly alike.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import {
  explainAttachError,
  explainClangMessage,
  explainUnopenedObject,
  explainVerifierLog,
  sectionLine,
} from '@ebpf-lab/diagnostics';
import type { UnrecognisedVerifierLog } from '@ebpf-lab/diagnostics';
import { loadExercises } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import { grade, keyHoles } from '@ebpf-lab/grader';
import type { KeyLayout } from '@ebpf-lab/grader';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { compile } from './compile/index.ts';
import { STUDENT_FILE } from './compile/flags.ts';
import type { RunnerDeps, StaticOutcome } from './deps.ts';
import { cgroupForRun, mapViewOf, residentSockets, runLoader } from './loader/index.ts';
import { paths } from './paths.ts';
import { runProcess } from './process.ts';
import { createRunner } from './run.ts';
import { checkObject, rulesFor } from './static-check/index.ts';
import type { MapInfo, StaticRules } from './static-check/index.ts';
import type { LabRunner } from './types.ts';

/** Static-check outcomes kept for unchanged resubmissions (a few KiB each). */
const CHECKED_OBJECTS_KEPT = 256;

/**
 * A refused section is a typo in the student's `SEC("...")` far more often than anything in the
 * function body, but the object only knows the function's first instruction: put the refusal
 * on the SEC line, as an attach error would be.
 */
function onSectionLines(diagnostics: Diagnostic[], source: string): void {
  for (const d of diagnostics) {
    const section =
      d.code === 'static/section' ? /^section "([^"]*)"/.exec(d.message)?.[1] : undefined;
    const line = section ? sectionLine(source, section) : 0;
    if (line > 0) {
      d.line = line;
      d.message = d.message.replace(/ \(line \d+: `.*`\)$/, '');
      d.column = source.split('\n')[line - 1].indexOf('SEC') + 1;
    }
  }
}

/** Hash of every file of an exercise folder, so a stored result says which version graded it. */
export function exerciseHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(name).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

let versions: Promise<{ clang: string; libbpf: string }> | undefined;
/** Read once per process, without blocking: the versions cannot change under a running server. */
export function toolVersions(): Promise<{ clang: string; libbpf: string }> {
  versions ??= (async () => {
    const run = async (cmd: string, args: string[]) => {
      const r = await runProcess(cmd, args, { timeoutMs: 5000 });
      return r.code === 0 ? r.stdout.toString('utf8').trim() : 'unknown';
    };
    const [clangVersion, libbpf] = await Promise.all([
      run('clang', ['--version']),
      run('pkg-config', ['--modversion', 'libbpf']),
    ]);
    return { clang: /version ([\d.]+)/.exec(clangVersion)?.[1] ?? 'unknown', libbpf };
  })();
  return versions;
}

/** Adds the plain-words explanation of a clang error students often hit, when there is one. */
function withClangExplanation(d: Diagnostic): Diagnostic {
  if (d.source !== 'clang' || d.explanation) return d;
  const known = explainClangMessage(d.message);
  return known
    ? {
        ...d,
        code: d.code ?? known.code,
        explanation: known.explanation,
        suggestion: known.suggestion,
      }
    : d;
}

/** Struct keys of the student's maps with their padding, for the grader's padding diagnosis. */
function keyLayouts(maps: MapInfo[]): KeyLayout[] {
  return maps.flatMap((m) =>
    m.key
      ? [
          {
            map: m.name,
            type: m.key.type,
            size: m.keySize,
            members: m.key.members,
            holes: keyHoles(m.keySize, m.key.members),
          },
        ]
      : [],
  );
}

export interface DefaultRunnerOptions {
  exercises?: Exercise[];
  /** Called with verifier logs no explanation recognises (the server records them). */
  onUnrecognisedVerifierLog?: (entry: UnrecognisedVerifierLog) => void;
  log?: (message: string, error: unknown) => void;
}

export function createDefaultDeps(options: DefaultRunnerOptions = {}): RunnerDeps {
  const exercises = options.exercises ?? loadExercises(paths.templatesDir);
  const byId = new Map(exercises.map((e) => [e.meta.id, e]));
  const log =
    options.log ??
    ((message: string, error: unknown) => console.error(message, ...(error ? [error] : [])));
  const hashes = new Map(exercises.map((e) => [e.meta.id, exerciseHash(e.dir)]));
  // Record sizes come from tracefs and do not change while the kernel runs: read them once.
  const rules = new Map<string, Promise<StaticRules>>();
  /** Outcomes of the static checks by exercise, source and object; least recently used out. */
  const checkedObjects = new Map<string, StaticOutcome>();
  const rulesOf = (meta: Exercise['meta']) => {
    let r = rules.get(meta.id);
    if (!r) {
      r = rulesFor(meta);
      rules.set(meta.id, r);
    }
    return r;
  };
  return {
    exercises: byId,
    versions: async (exercise) => ({
      kernel: release(),
      ...(await toolVersions()),
      exerciseHash: exercise ? (hashes.get(exercise.meta.id) ?? '') : '',
    }),
    compile: async (source, signal) => {
      // A stale PCH rebuilt on the way is the operator's to know about.
      const result = await compile(source, { signal, log: (message) => log(message, undefined) });
      return { ...result, diagnostics: result.diagnostics.map(withClangExplanation) };
    },
    checkObject: async (object, meta, source) => {
      // The checks are a pure function of the object, the exercise's rules (fixed while the lab
      // runs) and the source: an unchanged resubmission, whose compile the cache answered, is
      // not checked again. A copy goes out, so nothing a run does to it reaches the next.
      const key = createHash('sha256')
        .update(`${meta.id}\0${source ?? ''}\0`)
        .update(object)
        .digest('hex');
      const known = checkedObjects.get(key);
      if (known) {
        checkedObjects.delete(key);
        checkedObjects.set(key, known);
        return structuredClone(known);
      }
      const result = checkObject(object, await rulesOf(meta), source);
      if (source !== undefined) onSectionLines(result.diagnostics, source);
      const outcome: StaticOutcome = {
        ok: result.ok,
        diagnostics: result.diagnostics,
        facts: { ...result, mapKeys: keyLayouts(result.maps) },
        maps: mapViewOf(result),
      };
      checkedObjects.set(key, structuredClone(outcome));
      if (checkedObjects.size > CHECKED_OBJECTS_KEPT)
        checkedObjects.delete(checkedObjects.keys().next().value!);
      return outcome;
    },
    // Forked by the lab's resident process and slotted into its dispatcher when it runs; else a
    // loader started here with a dispatcher of its own.
    runLoader: (config, onLine, signal) =>
      runLoader(config, onLine, signal, residentSockets() ?? {}),
    cgroupFor: (runId) => cgroupForRun(runId),
    explainVerifierLog: (log, where) =>
      where.program === ''
        ? explainUnopenedObject(log, where.errno)
        : explainVerifierLog(log, {
            program: where.program,
            sourceFile: STUDENT_FILE,
            source: where.source,
            onUnrecognised: options.onUnrecognisedVerifierLog,
          }),
    explainAttachError: (line, source) =>
      explainAttachError(line.errno, line.section, line.message, { program: line.program, source }),
    grade: (meta, input) => grade(meta, input),
    log,
  };
}

export function createDefaultRunner(options: DefaultRunnerOptions = {}): LabRunner {
  return createRunner(createDefaultDeps(options));
}
