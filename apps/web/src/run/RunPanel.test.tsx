import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { act } from 'react';
import type { ErrorCode, RunResult } from '@ebpf-lab/protocol';
import { byText, click, press, render } from '../test-utils/render.tsx';
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
afterEach(() => {
  view?.unmount();
  view = undefined;
  vi.restoreAllMocks();
});

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
    expect(view.container.querySelector('[data-testid="stage-compile"]')?.textContent).toContain(
      '52 ms',
    );
  });

  it('links to the next exercise on success', () => {
    const next = {
      id: 'next-one',
      chapter: 1,
      chapterTitle: 'c',
      order: 2,
      title: 'Count opens',
      summary: '',
    };
    view = render(<RunPanel run={finished(passingResult)} next={next} onReveal={() => {}} />);
    const link = byText(view.container, 'a', 'Next: Count opens');
    expect(link?.getAttribute('href')).toBe('/exercises/next-one');
  });

  it('draws the syscall timeline with the captured read and the missed one', () => {
    view = render(<RunPanel run={finished(failingResult)} onReveal={() => {}} />);
    click(tab('Timeline'));
    const rows = [...view.container.querySelectorAll('[data-testid="timeline-row"]')];
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual([
      'plain',
      'captured',
      'missed',
      'plain',
      'plain',
    ]);
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
    expect(view.container.querySelector('[data-testid="verdict"]')?.textContent).toContain(
      'Refused by the verifier',
    );
    click(byText(view.container, 'button', 'Open the full verifier log'));
    const failing = view.container.querySelector(
      '[data-testid="verifier-log"] [aria-current="true"]',
    );
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

  /** A run the server refused before accepting it, as the page sees it. */
  function refused(code: ErrorCode, message: string): LiveRun {
    const sending = startRun('q', 'read-file-password', 'code');
    return applyMessage(sending, { seq: 1, type: 'error', code, message }, 0);
  }

  it('asks a signed-out student to sign in, with a link back to the exercise, not an error', () => {
    view = render(
      <RunPanel
        run={refused(
          'sign-in-required',
          'This lab is open to the network, so only signed-in students may run programs.',
        )}
        onReveal={() => {}}
      />,
    );
    const verdict = view.container.querySelector('[data-testid="verdict"]')!;
    expect(verdict.getAttribute('data-status')).toBe('sign-in');
    expect(verdict.getAttribute('role')).toBe('status');
    expect(verdict.textContent).toContain(
      'This lab asks students to sign in before running programs',
    );
    expect(verdict.textContent).toContain('join link');
    expect(verdict.textContent).not.toContain('could not finish');
    expect(view.container.querySelector('[data-testid="sign-in-link"]')?.getAttribute('href')).toBe(
      '/account?next=%2Fexercises%2Fread-file-password',
    );
    // Nothing ran: no stage is marked as failed.
    expect(view.container.querySelector('[data-state="failed"]')).toBeNull();
  });

  it.each([
    [
      'rate-limited',
      'You already have 3 runs queued or running: wait for one to finish.',
      'Too many runs',
    ],
    [
      'rate-limited',
      'Run limit reached: at most 20 runs per minute from one address while signed out. Wait a few seconds and run again.',
      'Too many runs',
    ],
    [
      'rate-limited',
      'The lab is busy (its run queue is full): try again in a minute.',
      'The lab is busy',
    ],
    [
      'rate-limited',
      'Too many open lab tabs: at most 16 connections per address for signed-out visitors. Close a tab and reload.',
      'Too many open tabs',
    ],
    ['too-large', 'Your file is 70 KiB; submissions are limited to 64 KiB.', 'Too large to run'],
    ['unknown-exercise', 'There is no exercise "nope".', 'Unknown exercise'],
    [
      'internal',
      'The run could not be stored (error id 1a2b3c4d); try again.',
      'The run could not finish',
    ],
  ] as const)('shows a %s refusal under a heading that fits: %s', (code, message, title) => {
    view = render(<RunPanel run={refused(code, message)} onReveal={() => {}} />);
    const verdict = view.container.querySelector('[data-testid="verdict"]')!;
    expect(verdict.getAttribute('data-status')).toBe('error');
    expect(verdict.querySelector('strong')?.textContent).toBe(title);
    expect(verdict.textContent).toContain(message);
  });

  it('shows the queue position while waiting', () => {
    const run = applyMessage(
      applyMessage(
        startRun('q', 'x', 'c'),
        { seq: 1, type: 'accepted', runId: 'r', requestId: 'q' },
        0,
      ),
      { seq: 2, type: 'queued', runId: 'r', position: 2 },
      0,
    );
    view = render(<RunPanel run={run} onReveal={() => {}} />);
    expect(view.container.querySelector('[data-testid="queue"]')?.textContent).toContain(
      'position 2',
    );
    act(() => {});
  });

  it('survives the full verifier log, a tab switch and another run when scrollIntoView returns a Promise', () => {
    // Current Chromium's scrollIntoView returns a Promise; an effect that returned it handed React
    // a clean-up that is not a function, and the page died on the next tab switch or run.
    // jsdom has no scrollIntoView: give elements Chromium's.
    const scroll = vi.fn(() => Promise.resolve());
    Object.defineProperty(Element.prototype, 'scrollIntoView', {
      value: scroll,
      configurable: true,
    });
    onTestFinished(() => {
      delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView;
    });
    // React reports a clean-up that is not a function, and the error it throws, on the console.
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failed = () => view!.container.querySelector('[data-testid="panel-failed"]');
    view = render(<RunPanel run={finished(verifierResult)} onReveal={() => {}} />);
    click(byText(view.container, 'button', 'Open the full verifier log'));
    expect(scroll).toHaveBeenCalled();
    click(tab('Result'));
    expect(failed()).toBeNull();
    click(tab('Verifier log'));
    view.rerender(
      <RunPanel run={finished({ ...verifierResult, runId: 'run-2' })} onReveal={() => {}} />,
    );
    expect(failed()).toBeNull();
    click(tab('Verifier log'));
    view.rerender(<RunPanel run={finished(passingResult)} onReveal={() => {}} />);
    expect(failed()).toBeNull();
    expect(
      view.container.querySelector('[data-testid="verdict"]')?.getAttribute('data-status'),
    ).toBe('pass');
    expect(errors).not.toHaveBeenCalled();
  });

  it('moves the focus with the selection on ←, →, Home and End (one tab stop)', () => {
    view = render(<RunPanel run={finished(failingResult)} onReveal={() => {}} />);
    const selected = () => view!.container.querySelector('[role="tab"][aria-selected="true"]');
    tab('Result')!.focus();
    press(document.activeElement, 'ArrowRight');
    expect(selected()?.textContent).toContain('Output');
    expect(document.activeElement).toBe(selected());
    press(document.activeElement, 'End');
    expect(selected()?.textContent).toBe('Verifier log');
    expect(document.activeElement).toBe(selected());
    press(document.activeElement, 'ArrowRight');
    expect(selected()?.textContent).toBe('Result');
    expect(document.activeElement).toBe(selected());
    press(document.activeElement, 'ArrowLeft');
    expect(document.activeElement?.textContent).toBe('Verifier log');
    press(document.activeElement, 'Home');
    expect(document.activeElement?.textContent).toBe('Result');
    const stops = [...view.container.querySelectorAll('[role="tab"]')].filter(
      (t) => t.getAttribute('tabindex') === '0',
    );
    expect(stops).toEqual([selected()]);
    expect(view.container.querySelector('[role="tabpanel"]')?.getAttribute('aria-labelledby')).toBe(
      selected()?.id,
    );
  });

  it('shows the verifier statistics of a passing run', () => {
    const stats = [
      'verification time 41 usec',
      'stack depth 24+0',
      'processed 57 insns (limit 1000000) max_states_per_insn 1 total_states 5 peak_states 5 mark_read 2',
    ].join('\n');
    const accepted: RunResult = {
      ...passingResult,
      stages: passingResult.stages.map((s) => (s.name === 'verifier' ? { ...s, log: stats } : s)),
    };
    view = render(<RunPanel run={finished(accepted)} onReveal={() => {}} />);
    click(tab('Verifier log'));
    const table = view.container.querySelector('[data-testid="verifier-stats"]');
    expect(table?.textContent).toContain('57');
    expect(table?.textContent).toContain('1,000,000');
    expect(table?.textContent).toContain('24 + 0 bytes');
    expect(table?.textContent).toContain('41 µs');
    expect(view.container.textContent).toContain('The verifier accepted the programs.');
    expect(view.container.textContent).not.toContain('did not run');
  });

  it('says why there is no verifier log: accepted without one, or never reached', () => {
    const noLog: RunResult = {
      ...passingResult,
      stages: passingResult.stages.map(({ log: _log, ...s }) => s),
    };
    view = render(<RunPanel run={finished(noLog)} onReveal={() => {}} />);
    click(tab('Verifier log'));
    expect(view.container.textContent).toContain(
      'The verifier accepted the programs. This run kept no log',
    );
    view.unmount();

    const compileError: RunResult = {
      ...failingResult,
      status: 'error',
      errorKind: 'compile',
      stages: [
        { name: 'compile', status: 'failed', durationMs: 40, log: 'error: expected ;' },
        { name: 'static', status: 'skipped', durationMs: 0 },
        { name: 'verifier', status: 'skipped', durationMs: 0 },
      ],
    };
    view = render(<RunPanel run={finished(compileError)} onReveal={() => {}} />);
    click(tab('Verifier log'));
    expect(view.container.textContent).toContain(
      'The verifier did not run (an earlier stage stopped the run)',
    );
  });

  it('renders `backticks` in checks and summaries as code, and student data as text only', () => {
    const quoted: RunResult = {
      ...failingResult,
      summary: 'Your map `password_fds` is empty.',
      checks: [
        {
          ...failingResult.checks[1],
          title: 'Keeps `buf` per thread',
          message: 'Submitted `<img src=x onerror=alert(1)>` instead of the password.',
          hint: 'Key the map by `bpf_get_current_pid_tgid()`.',
        },
      ],
    };
    view = render(<RunPanel run={finished(quoted)} onReveal={() => {}} />);
    const codes = () => [...view!.container.querySelectorAll('code')].map((c) => c.textContent);
    expect(codes()).toEqual(['password_fds', 'buf', '<img src=x onerror=alert(1)>']);
    expect(view.container.querySelector('img')).toBeNull();
    expect(view.container.textContent).not.toContain('`');
    click(byText(view.container, 'button', 'Show hint'));
    expect(codes()).toContain('bpf_get_current_pid_tgid()');
  });

  it('keeps the verdict and the other tabs when one tab fails to render', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = {
      ...failingResult,
      observations: [{ ...failingResult.observations[0], maps: null }],
    } as unknown as RunResult;
    view = render(<RunPanel run={finished(broken)} onReveal={() => {}} />);
    click(tab('Maps'));
    expect(view.container.querySelector('[data-testid="panel-failed"]')?.textContent).toContain(
      'The Maps tab failed to show.',
    );
    expect(
      view.container.querySelector('[data-testid="verdict"]')?.getAttribute('data-status'),
    ).toBe('fail');
    click(tab('Output'));
    expect(view.container.querySelector('[data-testid="panel-failed"]')).toBeNull();
    expect(view.container.querySelector('[data-testid="event-stream"]')).not.toBeNull();
  });
});
