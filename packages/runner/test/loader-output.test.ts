// The runner's caps on what a loader prints, with stand-in loaders (shell scripts) that print
// what a hostile object could make a real one print: one huge line, or an endless stream. Each
// is a limit the student hit, named, and the run ends there; nothing is held whole in memory.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoaderLine } from '@ebpf-lab/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { LOADER_OUTPUT_LIMIT, LOADER_OUTPUT_LIMITS, runLoader } from '../src/loader/index.ts';
import { standInConfig } from './fixtures/stand-in-config.ts';

const work = mkdtempSync(join(tmpdir(), 'loader-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function standIn(name: string, script: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

const config = (id: string) => standInConfig(`loader-output-${process.pid}-${id}`);

describe('reading the loader output', () => {
  it('stops at a 40 MB line, names the limit, and keeps the lines before it', async () => {
    const loader = standIn(
      'long-line',
      `echo '{"type":"scenario_start","scenario":"main"}'
       head -c 40000000 /dev/zero | tr '\\0' x
       echo
       echo '{"type":"done"}'`,
    );
    const lines: LoaderLine[] = [];
    await runLoader(config('line'), (l) => lines.push(l), undefined, { loaderPath: loader });
    expect(lines).toEqual([
      { type: 'scenario_start', scenario: 'main' },
      {
        type: 'limit',
        name: LOADER_OUTPUT_LIMIT,
        message:
          `your run produced one result of more than ${LOADER_OUTPUT_LIMITS.lineBytes >> 20} ` +
          'MiB (a log or a map dump); it was stopped there',
      },
    ]);
  });

  it('stops a stream of valid lines at its cap and names the limit', async () => {
    const loader = standIn(
      'stream',
      `yes '{"type":"scenario_start","scenario":"main"}' | head -c 60000000
       echo '{"type":"done"}'`,
    );
    let count = 0;
    const limits: LoaderLine[] = [];
    await runLoader(
      config('stream'),
      (l) => (l.type === 'limit' ? limits.push(l) : count++),
      undefined,
      { loaderPath: loader },
    );
    expect(limits).toHaveLength(1);
    expect(limits[0]).toMatchObject({ name: LOADER_OUTPUT_LIMIT });
    expect(limits[0].type === 'limit' && limits[0].message).toContain('32 MiB');
    const lineBytes = '{"type":"scenario_start","scenario":"main"}\n'.length;
    expect(count).toBeLessThanOrEqual(LOADER_OUTPUT_LIMITS.streamBytes / lineBytes);
    // the chunk that crosses the cap (64 KiB at most) is dropped whole
    expect(count).toBeGreaterThan((LOADER_OUTPUT_LIMITS.streamBytes - 65536) / lineBytes - 1);
  });
});
