// Set-up entry (`tsx packages/runner/src/compile/build-pch.ts`): precompiles lab.h, with
// vmlinux.h and the libbpf headers it includes, using the exact flags of every compile. Parsing
// vmlinux.h dominates a compile (~450 ms); with the PCH a compile takes ~50 ms.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { paths } from '../paths.ts';
import { pchFlags } from './flags.ts';
import { runCompilerProcess } from './compiler-process.ts';
import { findClang } from './sandbox.ts';

export async function buildPch(
  header = paths.labHeader,
  out = paths.pch,
  includeDir = paths.includeDir,
): Promise<void> {
  if (!existsSync(header))
    throw new Error(`${header} is missing: the set-up copies lab.h there first`);
  const tmp = `${out}.tmp-${process.pid}`;
  const { clang } = await findClang();
  const res = await runCompilerProcess({
    command: clang,
    args: pchFlags(header, tmp, { includeDir }),
    stdin: '',
    timeoutMs: 120_000,
    maxStdoutBytes: 1024 * 1024,
  });
  if (res.code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    const why = res.timedOut ? 'timed out' : `exited with ${res.code ?? res.signal}`;
    throw new Error(`clang ${why} while precompiling ${header}:\n${res.stderr.toString('utf8')}`);
  }
  // Rename: a compile running meanwhile sees the old PCH or the new one, never half of one.
  renameSync(tmp, out);
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const t0 = performance.now();
  buildPch().then(
    () => {
      console.log(`built ${paths.pch} in ${Math.round(performance.now() - t0)} ms`);
    },
    (e: unknown) => {
      console.error(`build-pch: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
