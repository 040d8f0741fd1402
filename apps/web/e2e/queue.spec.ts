// A run that waits behind others shows its place in the queue, counting down, then its result: in
// Debian's Chromium against the real server, which runs one at a time here so that other clients'
// runs (sent over WebSockets by the test) fill the queue ahead of the page's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, setEditorText } from './helpers/browser.ts';
import type { LabBrowser } from './helpers/browser.ts';
import { buildWeb, removeWebBuild, repoRoot, startLabServer } from './helpers/lab-server.ts';
import type { LabServer } from './helpers/lab-server.ts';

const EXERCISE = 'read-file-password';
const solution = readFileSync(join(repoRoot, 'bpf-templates', EXERCISE, 'solution.bpf.c'), 'utf8');
/** Runs queued ahead of the page's: one running and the rest waiting. */
const AHEAD = 5;

let server: LabServer;
let browser: LabBrowser;
const clients: WebSocket[] = [];

beforeAll(async () => {
  buildWeb();
  server = await startLabServer(90_000, {
    env: {
      LAB_RUN_CONCURRENCY: '1',
      // The test's clients and the page share one loopback address.
      LAB_SOCKETS_PER_ADDRESS: '32',
      LAB_RUNS_ACTIVE_PER_CLIENT: '20',
      LAB_RUNS_PER_MINUTE_PER_ADDRESS: '200',
    },
  });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await browser?.close();
  await server?.stop();
  removeWebBuild();
});

/** A client that submits the solution once and hears each queue position it is told. */
function submitOver(url: string, n: number, onQueued: (position: number) => void): WebSocket {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { type: string; position?: number };
    if (m.type === 'hello')
      ws.send(
        JSON.stringify({
          type: 'run',
          requestId: `ahead-${n}`,
          exerciseId: EXERCISE,
          code: `${solution}\n// run ${n} ahead\n`,
        }),
      );
    else if (m.type === 'queued' && m.position) onQueued(m.position);
  });
  return ws;
}

describe('the queue in the run panel', { timeout: 300_000 }, () => {
  it('shows the place in the queue counting down, then the result', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(90_000);
    await page.goto(`${server.url}/exercises/${EXERCISE}`);
    await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
    await page.locator('[data-testid="connection"]', { hasText: 'Connected' }).waitFor();
    await setEditorText(page, solution);
    // Every text the verdict line shows while the run waits, as the page shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { queueSeen: string[] }).queueSeen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="queue"]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });

    let longest = 0;
    const full = new Promise<void>((resolve) => {
      for (let i = 0; i < AHEAD; i++)
        clients.push(
          submitOver(server.url, i + 1, (position) => {
            longest = Math.max(longest, position);
            if (longest >= AHEAD - 1) resolve();
          }),
        );
    });
    await full;
    await page.locator('[data-testid="run-button"]').click();
    await page.locator('[data-testid="run-panel"][data-phase="done"]').waitFor();

    const seen = await page.evaluate(
      () => (window as unknown as { queueSeen: string[] }).queueSeen,
    );
    const positions = seen
      .map((t) => /position (\d+)/.exec(t)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number);
    expect(positions.length, seen.join(' | ')).toBeGreaterThan(0);
    expect(positions[0], seen.join(' | ')).toBeGreaterThanOrEqual(2);
    // Counting down, never up, to its turn.
    for (let i = 1; i < positions.length; i++)
      expect(positions[i], seen.join(' | ')).toBeLessThan(positions[i - 1]);
    await expect
      .poll(() => page.locator('[data-testid="verdict"]').getAttribute('data-status'))
      .toBe('pass');
    await page.close();
  });
});
