import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultRunConcurrency, loadConfig } from './config.ts';

describe('run concurrency', () => {
  it('runs two per core by default, at most 64', () => {
    expect(defaultRunConcurrency(1)).toBe(2);
    expect(defaultRunConcurrency(2)).toBe(4);
    expect(defaultRunConcurrency(8)).toBe(16);
    expect(defaultRunConcurrency(32)).toBe(64);
    expect(defaultRunConcurrency(256)).toBe(64);
    expect(loadConfig({}).runConcurrency).toBe(defaultRunConcurrency(availableParallelism()));
  });

  it('takes LAB_RUN_CONCURRENCY over the cores, and refuses what it cannot read', () => {
    expect(loadConfig({ LAB_RUN_CONCURRENCY: '5' }).runConcurrency).toBe(5);
    expect(loadConfig({ LAB_RUN_CONCURRENCY: '1' }).runConcurrency).toBe(1);
    expect(() => loadConfig({ LAB_RUN_CONCURRENCY: '0' })).toThrow(/^LAB_RUN_CONCURRENCY: /);
    expect(() => loadConfig({ LAB_RUN_CONCURRENCY: 'cores' })).toThrow(/^LAB_RUN_CONCURRENCY: /);
  });
});
