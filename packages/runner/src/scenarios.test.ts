import { ExerciseMeta } from '@ebpf-lab/exercises';
import { describe, expect, it } from 'vitest';
import { drawSecret, prepareScenarios } from './scenarios.ts';

const meta = ExerciseMeta.parse({
  id: 'x',
  chapter: 1,
  chapterTitle: 'c',
  order: 1,
  title: 't',
  summary: 's',
  sections: ['tracepoint/syscalls/sys_enter_read'],
  secret: { length: 16, alphabet: 'ab' },
  scenarios: [
    {
      id: 'one',
      title: 'One',
      args: ['--secret-len', '{{secret}}'],
      files: [{ path: '/tmp/password', content: 'pw={{secret}}\n' }],
    },
    { id: 'two', title: 'Two', wallMs: 500 },
  ],
  checks: [{ id: 'c', title: 'c', kind: 'answer-equals', hint: 'h' }],
});

describe('drawSecret', () => {
  it('draws from the alphabet at the given length, differently each time', () => {
    const a = drawSecret({ length: 32, alphabet: 'xyz' });
    expect(a).toMatch(/^[xyz]{32}$/);
    const many = new Set(
      Array.from({ length: 20 }, () => drawSecret({ length: 32, alphabet: 'xyz' })),
    );
    expect(many.size).toBeGreaterThan(1);
  });
});

describe('prepareScenarios', () => {
  it('plants the secret in files and args, hex-encoded, with per-scenario wall time', () => {
    const { scenarios, planted } = prepareScenarios(meta, 'abba', '/b/target');
    expect(scenarios[0]).toEqual({
      id: 'one',
      target: '/b/target',
      args: ['--secret-len', 'abba'],
      files: [
        { path: '/tmp/password', hex: Buffer.from('pw=abba\n').toString('hex'), mode: 0o644 },
      ],
      wallMs: 2000,
    });
    expect(scenarios[1].wallMs).toBe(500);
    expect(planted.get('one')).toEqual([
      { path: '/tmp/password', hex: Buffer.from('pw=abba\n').toString('hex') },
    ]);
    expect(planted.get('two')).toEqual([]);
  });
});

describe('the network a scenario runs in', () => {
  it('asks the loader for a private network only when the exercise declares one', () => {
    expect(prepareScenarios(meta, 'ab', '/b/t').scenarios[0].network).toBeUndefined();
    const privateMeta = ExerciseMeta.parse({ ...meta, network: 'private' });
    for (const s of prepareScenarios(privateMeta, 'ab', '/b/t').scenarios)
      expect(s.network).toBe('private');
  });
});
