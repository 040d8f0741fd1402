// Scratch probe (not a test): WebSocket frames and console of the lab page against the real server.
import { launchBrowser, setEditorText } from './helpers/browser.ts';
import { startLabServer } from './helpers/lab-server.ts';

const server = await startLabServer();
const browser = await launchBrowser();
const t0 = Date.now();
const ts = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
try {
  const page = await browser.context.newPage();
  page.on('console', (m) => console.log(ts(), 'console', m.type(), m.text().slice(0, 200)));
  page.on('websocket', (ws) => {
    console.log(ts(), 'ws open', ws.url());
    ws.on('framesent', (f) => console.log(ts(), 'sent', String(f.payload).slice(0, 160)));
    ws.on('framereceived', (f) => console.log(ts(), 'recv', String(f.payload).slice(0, 160)));
    ws.on('close', () => console.log(ts(), 'ws close', ws.url()));
  });
  await page.goto(`${server.url}/exercises/read-file-password`);
  await page.locator('[data-testid="code-editor"] .view-lines').waitFor();
  console.log(ts(), 'editor ready');
  await setEditorText(page, '#include "lab.h"\nint f(void *ctx)\n{\n  bpf_map_lookup_elme(0, 0);\n  return 0;\n}\n');
  console.log(ts(), 'text set');
  await page.locator('[data-testid="code-editor"] .squiggly-error').first().waitFor({ timeout: 90_000 });
  console.log(ts(), 'squiggle seen');
} catch (e) {
  console.log(ts(), 'error', (e as Error).message.slice(0, 300));
} finally {
  await browser.close();
  console.log(server.output().slice(-3000));
  await server.stop();
}
