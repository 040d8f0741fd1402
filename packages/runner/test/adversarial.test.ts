// The adversarial corpus: hostile files, each with its expected outcome on its first line, run
// through the real runner in check-only mode (the real sandboxed clang and the real static checks
// of the flagship exercise). Nothing here is loaded: several files read past their tracepoint's
// record, which through the dispatcher's tail call would oops the kernel, so the runner's loader
// is replaced by one that fails the test if it is ever reached.
//
//   // expect: refused-static <code>   refused before load, with a diagnostic of that code
//                                      (`compile`: refused by the compiler in its sandbox)
//   // expect: student-limit <limit>   a limit the student hit, named (counts as an attempt)
//   // expect: harmless                accepted by the checks
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { createDefaultDeps } from '../src/default-runner.ts';
import { createRunner, CHECK_ONLY_SUMMARY } from '../src/run.ts';

const dir = join(import.meta.dirname, 'adversarial');
const EXERCISE = 'read-file-password';

interface Case {
  file: string;
  source: string;
  outcome: 'refused-static' | 'student-limit' | 'harmless';
  what: string;
}

function cases(): Case[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort()
    .map((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      const m = /^\/\/ expect: (refused-static|student-limit|harmless)(?: (\S+))?\n/.exec(source);
      if (!m) throw new Error(`${file}: the first line must be "// expect: <outcome> [<what>]"`);
      return { file, source, outcome: m[1] as Case['outcome'], what: m[2] ?? '' };
    });
}

const all = cases();
let loads = 0;
const runner = createRunner({
  ...createDefaultDeps(),
  runLoader: async () => {
    loads += 1;
    throw new Error('check-only reached the loader');
  },
});

/** Strings that would show a kernel or host address or path in what the student sees. */
const HOST = [/\/work\//, /\/build\/include/, /0xffff[0-9a-f]{8,}/i];

function explain(r: RunResult): string {
  return `${r.status} ${r.errorKind ?? ''}: ${r.diagnostics.map((d) => `[${d.code ?? d.source}] line ${d.line}: ${d.message}`).join(' | ')}`;
}

describe('the adversarial corpus, checked only', () => {
  it('holds at least 60 files, each with an expected outcome', () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    const outcomes = new Set(all.map((c) => c.outcome));
    expect([...outcomes].sort()).toEqual(['harmless', 'refused-static', 'student-limit']);
  });

  for (const c of all) {
    it(`${c.file}: ${c.outcome}${c.what ? ` ${c.what}` : ''}`, { timeout: 120_000 }, async () => {
      const r = await runner.run({ runId: `adversarial-${c.file}`, exerciseId: EXERCISE, code: c.source, checkOnly: true }, () => {});
      const why = explain(r);
      expect(r.errorKind, why).not.toBe('infrastructure');
      expect(r.gradable).toBe(true);
      const seen = JSON.stringify(r);
      for (const re of HOST) expect(seen, why).not.toMatch(re);
      switch (c.outcome) {
        case 'harmless':
          expect(r.status, why).toBe('pass');
          expect(r.summary).toBe(CHECK_ONLY_SUMMARY);
          expect(r.stages.find((s) => s.name === 'verifier')?.status).toBe('skipped');
          break;
        case 'student-limit':
          expect(r.status, why).toBe('error');
          expect(r.errorKind, why).toBe('limit');
          expect(r.limits.join(' '), why).toContain(c.what);
          break;
        case 'refused-static': {
          expect(r.status, why).toBe('error');
          if (c.what === 'compile') {
            expect(r.errorKind, why).toBe('compile');
            break;
          }
          expect(r.errorKind, why).toBe('static');
          const refusal = r.diagnostics.find((d) => d.severity === 'error' && d.code === c.what);
          expect(refusal, why).toBeDefined();
          // Said in plain words, on the student's line when the object knows it.
          expect(refusal?.message.length).toBeGreaterThan(20);
          break;
        }
      }
    });
  }

  it('never reached the loader', () => {
    expect(loads).toBe(0);
  });
});
