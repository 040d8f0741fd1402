import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import type { RunResult } from '@ebpf-lab/protocol';
import { byText, click, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { failingResult, passingResult, SECRET, verifierResult } from './fixtures/run-result.ts';
import { applyMessage, startRun } from './live-run.ts';
import type { LiveRun } from './live-run.ts';
import { RunPanel } from './RunPanel.tsx';

function finished(result: RunResult): LiveRun {
  const run = applyMessage(
    startRun('q', result.exerciseId, 'code'),
    { seq: 1, type: 'accepted', runId: result.runId, requestId: 'q' },
    0,
  );
  return applyMessage(run, { seq: 2, type: 'result', runId: result.runId, result }, 0);
}

let view: Rendered | undefined;
afterEach(() => view?.unmount());

const tab = (name: string) => byText(view!.container, '[role="tab"]', name);

describe('run panel', () => {
  it('shows the verdict, the checks in order and a hint only on request', () => {
    view = render(<RunPanel run={finished(failingResult)} onReveal={() => {}} />);
    const verdict = view.container.querySelector('[data-testid="verdict"]')!;
    expect(verdict.getAttribute('data-status')).toBe('fail');
    expect(verdict.textContent).toContain(failingResult.summary);
    const checks = [...view.container.querySelectorAll('[data-testid^="check-"]')];
    expect(checks.map((c) => c.getAttribute('data-status'))).toEqual(['pass', 'fail', 'skipped']);
    expect(view.container.textContent).not.toContain('Keep the buffer pointer per thread');
    click(byText(view.container, 'button', 'Show hint'));
    expect(view.container.textContent).toContain('Keep the buffer pointer per thread');
    // Each stage with its duration.
    expect(view.container.querySelector('[data-testid="stage-compile"]')?.textContent).toContain('52 ms');
  });

  it('links to the next exercise on success', () => {
    const next = { id: 'next-one', chapter: 1, chapterTitle: 'c', order: 2, title: 'Count opens', summary: '' };
    view = render(<RunPanel run={finished(passingResult)} next={next} onReveal={() => {}} />);
    const link = byText(view.container, 'a', 'Next: Count opens');
    expect(link?.getAttribute('href')).toBe('/exercises/next-one');
  });

  it('draws the syscall timeline with the captured read and the missed one', () => {
    view = render(<RunPanel run={finished(failingResult)} onReveal={() => {}} />);
    click(tab('Timeline'));
    const rows = [...view.container.querySelectorAll('[data-testid="timeline-row"]')];
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['plain', 'captured', 'missed', 'plain', 'plain']);
    expect(rows[0].textContent).toContain('/tmp/password');
    expect(rows[1].textContent).toContain('captured 10 B');
  });

  it('shows the maps with decoded fields and padding that holds garbage', () => {
    view = render(<RunPanel run={finished(failingResult)} onReveal={() => {}} />);
    click(tab('Maps'));
    const map = view.container.querySelector('[data-testid="map-bufs"]')!;
    expect(map.textContent).toContain('struct pid_fd_key');
    expect(map.textContent).toContain('.pid = 4242');
    expect(map.querySelector('.padding-garbage')?.textContent).toContain('ffff7f00');
  });

  it('shows submitted bytes as hex and printable text', () => {
    view = render(<RunPanel run={finished(failingResult)} onReveal={() => {}} />);
    click(tab('Output'));
    const stream = view.container.querySelector('[data-testid="event-stream"]')!;
    expect(stream.textContent).toContain(SECRET.slice(0, 10));
    expect(stream.textContent).toContain('68 75 6e 74'); // "hunt"
    expect(stream.textContent).toContain('read fd=3 count=10');
  });

  it('highlights the failing instruction in the full verifier log', () => {
    view = render(<RunPanel run={finished(verifierResult)} onReveal={() => {}} />);
    expect(view.container.querySelector('[data-testid="verdict"]')?.textContent).toContain('Refused by the verifier');
    click(byText(view.container, 'button', 'Open the full verifier log'));
    const failing = view.container.querySelector('[data-testid="verifier-log"] [aria-current="true"]');
    expect(failing?.textContent).toBe('2: (61) r1 = *(u32 *)(r0 +0)');
  });

  it('reveals the line of a problem in the editor', () => {
    const lines: number[] = [];
    view = render(<RunPanel run={finished(verifierResult)} onReveal={(l) => lines.push(l)} />);
    click(byText(view.container, 'button', 'line 12'));
    expect(lines).toEqual([12]);
  });

  it('says an infrastructure error cost no attempt', () => {
    const infra: RunResult = {
      ...failingResult,
      status: 'error',
      errorKind: 'infrastructure',
      gradable: false,
      summary: 'The grader could not start (error id x1).',
    };
    view = render(<RunPanel run={finished(infra)} onReveal={() => {}} />);
    expect(view.container.textContent).toContain('cost no attempt');
  });

  it('shows the queue position while waiting', () => {
    const run = applyMessage(
      applyMessage(startRun('q', 'x', 'c'), { seq: 1, type: 'accepted', runId: 'r', requestId: 'q' }, 0),
      { seq: 2, type: 'queued', runId: 'r', position: 2 },
      0,
    );
    view = render(<RunPanel run={run} onReveal={() => {}} />);
    expect(view.container.querySelector('[data-testid="queue"]')?.textContent).toContain('position 2');
    act(() => {});
  });
});
