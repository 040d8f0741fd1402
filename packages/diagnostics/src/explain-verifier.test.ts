import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Diagnostic } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';

import { createUnrecognisedLogRecorder, explainVerifierLog, UNRECOGNISED_CODE } from './index.ts';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const fixtures = readdirSync(fixturesDir).sort();

// The logs were captured from this kernel by the golden test (CAPTURE_LOGS=1).
describe('explainVerifierLog on captured logs', () => {
  for (const name of fixtures) {
    it(`gives ${name} its class, line and a schema-valid diagnostic`, () => {
      const log = readFileSync(join(fixturesDir, name, 'verifier.log'), 'utf8');
      const expected = JSON.parse(readFileSync(join(fixturesDir, name, 'expected.json'), 'utf8'));
      const d = explainVerifierLog(log, { program: 'prog', sourceFile: 'prog.bpf.c' });
      expect(d.code).toBe(expected.code);
      expect(d.line).toBe(expected.line);
      expect(d.message).toContain(expected.message);
      expect(d.program).toBe(expected.program ?? 'prog');
      expect(Diagnostic.parse(d)).toEqual(d);
    });
  }

  it('names the global function an error is in, not the program whose log it came with', () => {
    const log = readFileSync(join(fixturesDir, 'global-function', 'verifier.log'), 'utf8');
    const d = explainVerifierLog(log, { program: 'enter_read', sourceFile: 'prog.bpf.c' });
    expect(d.program).toBe('count_dots');
    expect(d.explanation).toContain('`count_dots()` is a global function');
    // Without the marker, the loader's guess stands.
    const plain = readFileSync(join(fixturesDir, 'null-check', 'verifier.log'), 'utf8');
    expect(explainVerifierLog(plain, { program: 'enter_read' }).program).toBe('enter_read');
  });

  it('names the map whose lookup was not checked', () => {
    const log = readFileSync(join(fixturesDir, 'null-check', 'verifier.log'), 'utf8');
    expect(explainVerifierLog(log).explanation).toContain('`counts`');
  });

  it('points a leaked ring buffer record at its reserve, not at the shared exit', () => {
    const log = readFileSync(join(fixturesDir, 'ringbuf-not-submitted', 'verifier.log'), 'utf8');
    const d = explainVerifierLog(log, { sourceFile: 'prog.bpf.c' });
    expect(d.line).toBe(13);
    expect(d.insn).toBe(16);
  });

  it('skips line info from headers and keeps the student line', () => {
    const log = [
      '0: R1=ctx() R10=fp0',
      '; u64 *v = bpf_map_lookup_elem(&m, &k); @ student.bpf.c:12',
      '0: (85) call bpf_map_lookup_elem#1',
      '; SUBMIT(v, 8); @ lab.h:40',
      '1: (79) r1 = *(u64 *)(r0 +0)',
      "R0 invalid mem access 'map_value_or_null'",
      'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0',
    ].join('\n');
    const d = explainVerifierLog(log, { sourceFile: 'student.bpf.c' });
    expect(d.line).toBe(12);
    expect(d.insn).toBe(1);
    expect(d.code).toBe('verifier/null-check');
  });

  it('tells an index past a map value from a fixed offset past it', () => {
    const log = [
      '; return s->seen[i]; @ prog.bpf.c:30',
      '9: (79) r0 = *(u64 *)(r0 +0)',
      'invalid access to map value, value_size=128 off=0 size=8',
      'R0 max value is outside of the allowed memory range',
      'processed 10 insns (limit 1000000)',
    ].join('\n');
    expect(explainVerifierLog(log).code).toBe('verifier/unbounded-index');
  });

  it('keeps an unrecognised error with its line and records it once per message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diag-unrec-'));
    try {
      const file = join(dir, 'data', 'unrecognised-verifier-logs.jsonl');
      const recorder = createUnrecognisedLogRecorder(file);
      const log = [
        '; x = y / z; @ prog.bpf.c:7',
        '3: (3f) r1 /= r2',
        'some brand new complaint of the verifier',
        'processed 4 insns (limit 1000000)',
      ].join('\n');
      const onUnrecognised = (e: Parameters<typeof recorder.record>[0]) =>
        recorder.record({ ...e, exerciseId: 'read-file-password' });
      const d = explainVerifierLog(log, { sourceFile: 'prog.bpf.c', onUnrecognised });
      explainVerifierLog(log, { sourceFile: 'prog.bpf.c', onUnrecognised });
      expect(d.code).toBe(UNRECOGNISED_CODE);
      expect(d.line).toBe(7);
      expect(d.insn).toBe(3);
      expect(d.message).toContain('some brand new complaint of the verifier');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0]);
      expect(entry).toMatchObject({
        error: 'some brand new complaint of the verifier',
        line: 7,
        insn: 3,
      });
      expect(entry.log).toBe(log);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('handles an empty log without throwing', () => {
    const d = explainVerifierLog('');
    expect(d.code).toBe(UNRECOGNISED_CODE);
    expect(d.line).toBe(0);
  });

  it('explains a large log quickly', () => {
    const body = Array.from({ length: 200_000 }, (_, i) => `${i % 50}: (07) r1 += 1 ; R1=scalar()`);
    const log = [
      ...body,
      '; *p = 1; @ prog.bpf.c:5',
      '51: (7b) *(u64 *)(r1 +0) = r2',
      "R1 invalid mem access 'scalar'",
      'processed 200001 insns',
    ].join('\n');
    const started = performance.now();
    const d = explainVerifierLog(log, { sourceFile: 'prog.bpf.c' });
    expect(d.code).toBe('verifier/user-pointer-deref');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
