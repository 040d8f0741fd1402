// The package's smaller entry points, for a page that must not build every schema before it shows
// (the web's first page): the same objects as the main entry, and no more than they need.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as constants from './constants.ts';
import * as exercises from './exercises.ts';
import * as protocol from './index.ts';

const importsOf = (file: string) =>
  [
    ...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(/^import .* from '([^']+)'/gm),
  ].map((m) => m[1]);

describe('the entry points', () => {
  it('export the very objects the main entry does', () => {
    for (const [name, value] of [...Object.entries(constants), ...Object.entries(exercises)])
      expect(protocol[name as keyof typeof protocol], name).toBe(value);
    expect(constants.STAGE_NAMES).toEqual(protocol.StageName.options);
  });

  it('build no more than they hold: constants without zod, exercises without the rest', () => {
    expect(importsOf('./constants.ts')).toEqual([]);
    expect(importsOf('./exercises.ts')).toEqual(['zod']);
  });

  it('check an exercise as the main entry did', () => {
    const detail = {
      id: 'x',
      chapter: 1,
      chapterTitle: 'c',
      order: 1,
      title: 't',
      summary: 's',
      instructions: 'i',
      starter: '',
      helpers: [],
      checks: [],
    };
    expect(exercises.ExerciseDetail.safeParse(detail).success).toBe(true);
    expect(exercises.ExerciseDetail.safeParse({ ...detail, helpers: [{ name: 1 }] }).success).toBe(
      false,
    );
  });
});
