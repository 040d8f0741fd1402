// Stored results have a size cap, named in the copy the student is shown (the same as stored).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '@ebpf-lab/protocol';
import { openStore } from '@ebpf-lab/store';
import { describe, expect, it } from 'vitest';
import { createRunRecorder, DEFAULT_RUN_LIMITS } from '../src/runs/run-recorder.ts';
import { capStoredResult } from '../src/runs/stored-result.ts';

function bigResult(runId: string): RunResult {
  const syscalls = Array.from({ length: 20_000 }, (_, i) => ({
    name: 'read',
    pid: 7,
    tid: 7,
    enterTs: String(i),
    exitTs: String(i + 1),
    args: ['3', '140737488338112', '64'],
    ret: '64',
  }));
  const entries = Array.from({ length: 256 }, (_, i) => ({
    keyHex: i.toString(16).padStart(8, '0'),
    valueHex: 'ab'.repeat(4096),
  }));
  return {
    runId,
    exerciseId: 'ex',
    status: 'fail',
    gradable: true,
    summary: '1 of 1 required checks failed. First: Answer.',
    stages: [{ name: 'verifier', status: 'ok', durationMs: 1, log: 'x'.repeat(1 << 20) }],
    checks: [
      { id: 'answer', title: 'Answer', required: true, status: 'fail', message: 'no answer' },
    ],
    diagnostics: [],
    observations: [
      {
        scenario: 'main',
        planted: [],
        submissions: [],
        debug: [],
        syscalls,
        maps: [
          {
            name: 'big',
            type: 'hash',
            keySize: 4,
            valueSize: 4096,
            maxEntries: 256,
            entries,
            truncated: false,
          },
        ],
        limits: [],
      },
    ],
    limits: [],
    versions: { kernel: 'k', clang: 'c', libbpf: 'l', exerciseHash: 'h' },
    startedAt: new Date().toISOString(),
    durationMs: 10,
  };
}

const size = (r: RunResult) => Buffer.byteLength(JSON.stringify(r));

describe('stored results', () => {
  it('keeps a result that fits as it is', () => {
    const small = { ...bigResult('r'), observations: [], stages: [] };
    const kept = capStoredResult(small, 1 << 20);
    expect(kept.result).toBe(small);
    expect(kept.json).toBe(JSON.stringify(small));
  });

  it('shortens a large result, heaviest parts first, and names the cap and what was cut', () => {
    const big = bigResult('r');
    expect(size(big)).toBeGreaterThan(4 << 20);
    const { result: capped, json } = capStoredResult(big, 2 << 20);
    expect(json).toBe(JSON.stringify(capped));
    expect(size(capped)).toBeLessThanOrEqual(2 << 20);
    expect(capped.observations[0].maps[0]).toMatchObject({
      name: 'big',
      entries: [],
      truncated: true,
    });
    expect(capped.checks).toEqual(big.checks);
    expect(capped.status).toBe('fail');
    expect(capped.limits.at(-1)).toMatch(
      /^this result was larger than the 2048 KiB the lab keeps of a run, so it was shortened: map contents, stage logs/,
    );
  });

  it('stores the capped copy and gives it back to be shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stored-result-'));
    const { store } = await openStore(dir);
    try {
      const recorder = createRunRecorder(store, {
        ...DEFAULT_RUN_LIMITS,
        maxStoredResultBytes: 1 << 20,
      });
      await recorder.recordRunAccepted({
        runId: 'big-run',
        exerciseId: 'ex',
        code: 'int x;',
        user: null,
      });
      const { result: shown, json } = await recorder.recordRunFinished(
        'big-run',
        bigResult('big-run'),
      );
      expect(json).toBe(JSON.stringify(shown));
      expect(size(shown)).toBeLessThanOrEqual(1 << 20);
      expect(shown.limits.at(-1)).toContain('1024 KiB the lab keeps of a run');
      const stored = await store.getRun('big-run');
      expect(stored?.result).toEqual(shown);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
