import type { OutgoingMessage, RunResult } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';
import { frameText } from './frames.ts';

const result: RunResult = {
  runId: 'run "1"',
  exerciseId: 'ex',
  status: 'pass',
  gradable: true,
  summary: 'All 1 required checks passed, even with "quotes", \\ and \u2028.',
  stages: [{ name: 'compile', status: 'ok', durationMs: 1.5 }],
  checks: [],
  diagnostics: [],
  observations: [],
  limits: [],
  versions: { kernel: 'k', clang: 'c', libbpf: 'l', exerciseHash: 'h' },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 10,
};

const messages: OutgoingMessage[] = [
  { type: 'hello', version: '1.0' },
  { type: 'queued', runId: 'r', position: 3 },
  { type: 'error', code: 'bad-json', message: 'Your message is not valid JSON.' },
  { type: 'result', runId: 'run "1"', result },
];

describe('frameText', () => {
  it('is the JSON of the message with seq as its last field', () => {
    for (const message of messages)
      expect(frameText(message, 41)).toBe(JSON.stringify({ ...message, seq: 41 }));
  });

  it('sends a result as the JSON it was stored as, byte for byte the same frame', () => {
    const message: OutgoingMessage = { type: 'result', runId: 'run "1"', result };
    const frame = frameText(message, 7, JSON.stringify(result));
    expect(frame).toBe(JSON.stringify({ ...message, seq: 7 }));
    expect(JSON.parse(frame)).toEqual({ ...message, seq: 7 });
  });

  it('uses the stored JSON rather than the object, so what is shown is what was stored', () => {
    const stored = { ...result, summary: 'as stored' };
    const frame = frameText({ type: 'result', runId: 'r', result }, 0, JSON.stringify(stored));
    expect(JSON.parse(frame).result.summary).toBe('as stored');
  });

  it('ignores a JSON given with any other message', () => {
    const message: OutgoingMessage = { type: 'hello', version: '1.0' };
    expect(frameText(message, 1, '{"x":1}')).toBe('{"type":"hello","version":"1.0","seq":1}');
  });
});
