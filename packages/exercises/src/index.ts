// Loads and validates bpf-templates/<id>/: the one place that knows the exercise folder layout.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { firstIssue } from '@ebpf-lab/protocol';
import { CHECK_PARAMS, isCheckKind, SCENARIO_KINDS } from './check-params.ts';
import { HELPER_NAMES } from './helpers.ts';
import { ExerciseMeta } from './schema.ts';

export * from './schema.ts';
export * from './check-params.ts';
export { HELPER_NAMES, helperDocs } from './helpers.ts';

/**
 * A known-wrong program kept to test the checks: it must fail exactly `expectFail`, or, for a
 * mistake the lab refuses before anything runs (a loop the verifier cannot see end), end in
 * the error `expectError`.
 */
export interface Variant {
  name: string;
  code: string;
  /** Check ids from the file's `// expect-fail: a, b` header lines. */
  expectFail: string[];
  /** The run's error kind from a `// expect-error: verifier` header line. */
  expectError?: VariantError;
  /** Checks it may also fail (`// may-fail: …`), when the outcome depends on leftover memory. */
  mayFail: string[];
}

export interface Exercise {
  meta: ExerciseMeta;
  dir: string;
  instructions: string;
  starter: string;
  solution: string;
  /** C source of the target program (target.c). */
  target?: string;
  /** Wrong variants from variants/*.bpf.c, sorted by name. */
  variants?: Variant[];
  /**
   * Correct solutions from correct/*.bpf.c, written independently of the reference (other names,
   * key layouts, string compares), sorted by name: each must pass every required check.
   */
  correct?: { name: string; code: string }[];
  /** For an exercise that continues another: what to append to the student's own solution. */
  continues?: { exercise: string; append: string };
}

export class ExerciseError extends Error {}

/** The errors a student's mistake can end a run with (never the lab's own). */
const VARIANT_ERRORS = ['compile', 'static', 'verifier', 'attach', 'limit'] as const;
export type VariantError = (typeof VARIANT_ERRORS)[number];
const isVariantError = (s: string): s is VariantError =>
  (VARIANT_ERRORS as readonly string[]).includes(s);

/** Cross-field rules the schema alone cannot state; returns `field: problem` or nothing. */
export function crossCheck(meta: ExerciseMeta): { field: string; message: string } | undefined {
  const scenarioIds = new Set<string>();
  for (const [i, s] of meta.scenarios.entries()) {
    if (scenarioIds.has(s.id))
      return { field: `scenarios.${i}.id`, message: `duplicate scenario id "${s.id}"` };
    scenarioIds.add(s.id);
  }
  const checkIds = new Set<string>();
  for (const [i, c] of meta.checks.entries()) {
    if (checkIds.has(c.id))
      return { field: `checks.${i}.id`, message: `duplicate check id "${c.id}"` };
    checkIds.add(c.id);
    if (!isCheckKind(c.kind)) {
      return {
        field: `checks.${i}.kind`,
        message: `unknown check kind "${c.kind}" (known: ${Object.keys(CHECK_PARAMS).join(', ')})`,
      };
    }
    const params = CHECK_PARAMS[c.kind].safeParse(c.params);
    if (!params.success) {
      const issue = firstIssue(params.error);
      const at = ['checks', i, 'params', ...issue.path.map(String)].join('.');
      return { field: at, message: issue.message };
    }
    if (c.scenario !== undefined && !scenarioIds.has(c.scenario)) {
      return { field: `checks.${i}.scenario`, message: `no scenario with id "${c.scenario}"` };
    }
    if (c.scenario === undefined && SCENARIO_KINDS.has(c.kind)) {
      return { field: `checks.${i}.scenario`, message: `a "${c.kind}" check needs a scenario` };
    }
  }
  for (const [i, h] of meta.helpers.entries()) {
    if (!HELPER_NAMES.includes(h))
      return { field: `helpers.${i}`, message: `no helper reference entry for "${h}"` };
  }
  if (meta.answer.kind === 'number' && meta.checks.some((c) => c.kind === 'answer-equals')) {
    return { field: 'answer.kind', message: 'a number exercise cannot use answer-equals checks' };
  }
  return undefined;
}

function headerList(code: string, tag: string): string[] {
  return [...code.matchAll(new RegExp(`^\\s*//\\s*${tag}:\\s*(.+)$`, 'gm'))].flatMap((m) =>
    m[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

function loadVariants(dir: string, checkIds: Set<string>): Variant[] {
  const vdir = join(dir, 'variants');
  if (!existsSync(vdir)) return [];
  return readdirSync(vdir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort()
    .map((f) => {
      const file = join(vdir, f);
      const code = readFileSync(file, 'utf8');
      const expectFail = headerList(code, 'expect-fail');
      const mayFail = headerList(code, 'may-fail');
      const errors = headerList(code, 'expect-error');
      if (errors.length > 1 || (errors.length === 1 && expectFail.length > 0))
        throw new ExerciseError(`${file}: one "// expect-error: <kind>" header, alone`);
      if (errors.length === 1) {
        const kind = errors[0];
        if (!isVariantError(kind))
          throw new ExerciseError(
            `${file}: unknown error kind "${kind}" (known: ${VARIANT_ERRORS.join(', ')})`,
          );
        return { name: basename(f, '.bpf.c'), code, expectFail, mayFail, expectError: kind };
      }
      if (expectFail.length === 0)
        throw new ExerciseError(
          `${file}: no "// expect-fail: <check id>" or "// expect-error: <kind>" header`,
        );
      for (const id of [...expectFail, ...mayFail]) {
        if (!checkIds.has(id))
          throw new ExerciseError(`${file}: header names unknown check "${id}"`);
      }
      return { name: basename(f, '.bpf.c'), code, expectFail, mayFail };
    });
}

function loadCorrect(dir: string): { name: string; code: string }[] {
  const cdir = join(dir, 'correct');
  if (!existsSync(cdir)) return [];
  return readdirSync(cdir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort()
    .map((f) => ({ name: basename(f, '.bpf.c'), code: readFileSync(join(cdir, f), 'utf8') }));
}

/** Reads one exercise folder; throws an ExerciseError naming the file and field when broken. */
export function loadExercise(dir: string): Exercise {
  const file = join(dir, 'exercise.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ExerciseError(`${file}: ${(e as Error).message}`);
  }
  const parsed = ExerciseMeta.safeParse(raw);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    throw new ExerciseError(`${file}: field "${issue.field}": ${issue.message}`);
  }
  const meta = parsed.data;
  if (meta.id !== basename(dir)) {
    throw new ExerciseError(
      `${file}: field "id": "${meta.id}" differs from the folder name "${basename(dir)}"`,
    );
  }
  const problem = crossCheck(meta);
  if (problem) throw new ExerciseError(`${file}: field "${problem.field}": ${problem.message}`);
  const read = (name: string) => {
    const p = join(dir, name);
    if (!existsSync(p)) throw new ExerciseError(`${dir}: missing ${name}`);
    return readFileSync(p, 'utf8');
  };
  return {
    meta,
    dir,
    instructions: read('README.md'),
    starter: read('starter.bpf.c'),
    solution: read('solution.bpf.c'),
    target: read('target.c'),
    variants: loadVariants(dir, new Set(meta.checks.map((c) => c.id))),
    correct: loadCorrect(dir),
    ...(meta.continues
      ? { continues: { exercise: meta.continues.exercise, append: read('continue.bpf.c') } }
      : {}),
  };
}

/** Every exercise under `templatesDir`, in curriculum order. Folders without exercise.json are skipped. */
export function loadExercises(templatesDir: string): Exercise[] {
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(templatesDir, d.name, 'exercise.json')))
    .map((d) => loadExercise(join(templatesDir, d.name)))
    .sort((a, b) => a.meta.chapter - b.meta.chapter || a.meta.order - b.meta.order);
}

// One rule for the server (account history) and the browser (its own history).
export { continuedStarter } from '@ebpf-lab/protocol';
export type { PriorAttempt } from '@ebpf-lab/protocol';
