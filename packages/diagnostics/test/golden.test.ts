// Golden tests against the real verifier of this kernel: every fixture is compiled with the
// lab's flags, LOADED WITHOUT ATTACHING (nothing executes), and its real log explained.
// `CAPTURE_LOGS=1` also stores each log as fixtures/<class>/verifier.log for the unit tests.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { explainVerifierLog } from '../src/index.ts';
import { compileFixture, loadWithoutAttaching } from './bpf-harness.ts';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface Expected {
  line: number;
  code: string;
  message: string;
  /** The function the error is in, when it is not the program the log came with. */
  program?: string;
  /** Load without CAP_PERFMON/CAP_SYS_ADMIN (see the fixture's comment). */
  unprivileged?: boolean;
}

/** Instruction-limit logs run to megabytes; the unit tests need only their end. */
function tail(log: string): string {
  const lines = log.split('\n');
  return lines.length > 200 ? lines.slice(-200).join('\n') : log;
}

const classes = readdirSync(fixturesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('verifier explanations on real verifier runs', () => {
  it('has at least 15 explained classes', () => {
    expect(classes.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of classes) {
    it(`explains ${name} on the student's line`, () => {
      const dir = join(fixturesDir, name);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const compiled = compileFixture(join(dir, 'prog.bpf.c'));
      try {
        const outcome = loadWithoutAttaching(compiled.object, {
          unprivileged: expected.unprivileged,
        });
        expect(outcome.loaded, `${name} must be refused by the verifier`).toBe(false);
        expect(outcome.log).toMatch(/processed \d+ insns/);
        if (process.env.CAPTURE_LOGS) writeFileSync(join(dir, 'verifier.log'), tail(outcome.log));

        const diagnostic = explainVerifierLog(outcome.log, { sourceFile: 'prog.bpf.c' });
        expect(diagnostic.code).toBe(expected.code);
        expect(diagnostic.line).toBe(expected.line);
        expect(diagnostic.message).toContain(expected.message);
        expect(diagnostic.source).toBe('verifier');
        expect(diagnostic.severity).toBe('error');
        // Errors found before the walk (the combined stack size) have no instruction or line.
        if (expected.line > 0) expect(diagnostic.insn).toBeTypeOf('number');
        expect(diagnostic.explanation?.length).toBeGreaterThan(40);
        expect(diagnostic.suggestion?.length).toBeGreaterThan(20);
        if (expected.program) expect(diagnostic.program).toBe(expected.program);
      } finally {
        rmSync(compiled.dir, { recursive: true, force: true });
      }
    });
  }
});
