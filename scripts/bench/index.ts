// npm run bench: times the parts of a run that exist, and says which do not yet. Timing targets
// live here, never in tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import * as runnerPackage from '@ebpf-lab/runner';
import { compile } from '../../packages/runner/src/compile/index.ts';

interface Bench {
  name: string;
  /** Why it cannot run here, or null. */
  missing(): string | null;
  run(): Promise<void> | void;
  repeat: number;
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, min ${s[0].toFixed(1)} ms (n=${s.length})`;
}

const starterPath = join(paths.templatesDir, 'read-file-password', 'starter.bpf.c');
const starter = () => readFileSync(starterPath, 'utf8');

async function expectCompiled(pch: string | null): Promise<void> {
  const r = await compile(starter(), { pch });
  if (!r.ok) throw new Error(`the starter did not compile: ${r.log.slice(0, 300)}`);
}

const benches: Bench[] = [
  {
    name: 'compile, precompiled lab.h, in the sandbox',
    missing: () => (!existsSync(paths.pch) ? `${paths.pch} (run npm run setup)` : !existsSync(starterPath) ? starterPath : null),
    run: () => expectCompiled(paths.pch),
    repeat: 20,
  },
  {
    name: 'compile, no precompiled header, in the sandbox',
    missing: () => (existsSync(starterPath) ? null : starterPath),
    run: () => expectCompiled(null),
    repeat: 5,
  },
  {
    name: 'loader --probe (load a trivial program, no attach)',
    missing: () => (existsSync(paths.loader) ? null : paths.loader),
    run: () => {
      execFileSync(paths.loader, ['--probe'], { stdio: 'ignore' });
    },
    repeat: 20,
  },
];

async function main(): Promise<void> {
  const extra = runnerPackage as { createDefaultRunner?: unknown };
  console.log(`full runner: ${extra.createDefaultRunner ? 'present' : 'not exported by @ebpf-lab/runner yet'}`);
  for (const b of benches) {
    const missing = b.missing();
    if (missing) {
      console.log(`${b.name}: not available (${missing})`);
      continue;
    }
    await b.run(); // warm caches: the first run pays for page cache and the sandbox's binaries
    const times: number[] = [];
    for (let i = 0; i < b.repeat; i++) {
      const t = performance.now();
      await b.run();
      times.push(performance.now() - t);
    }
    console.log(`${b.name}: ${stats(times)}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
