// Loads and validates bpf-templates/<id>/: the one place that knows the exercise folder layout.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExerciseMeta } from './schema.ts';

export * from './schema.ts';

export interface Exercise {
  meta: ExerciseMeta;
  dir: string;
  instructions: string;
  starter: string;
  solution: string;
}

export class ExerciseError extends Error {}

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
    const issue = parsed.error.issues[0];
    throw new ExerciseError(`${file}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const read = (name: string) => {
    const p = join(dir, name);
    if (!existsSync(p)) throw new ExerciseError(`${dir}: missing ${name}`);
    return readFileSync(p, 'utf8');
  };
  return {
    meta: parsed.data,
    dir,
    instructions: read('README.md'),
    starter: read('starter.bpf.c'),
    solution: read('solution.bpf.c'),
  };
}

/** Every exercise under `templatesDir`, in curriculum order. Folders without exercise.json are skipped. */
export function loadExercises(templatesDir: string): Exercise[] {
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(templatesDir, d.name, 'exercise.json')))
    .map((d) => loadExercise(join(templatesDir, d.name)))
    .sort((a, b) => a.meta.chapter - b.meta.chapter || a.meta.order - b.meta.order);
}
