// The compile server runs clang's frontend (cc1) directly. Its arguments are the ones the clang
// driver itself would pass for the lab's flags, asked from the driver (`clang -###`) inside the
// same sandbox, so paths and the working directory recorded in the debug info are the same and
// the objects are byte-identical to the plain path's.
import { compileFlags } from './flags.ts';
import type { FlagPaths } from './flags.ts';
import { runCompilerProcess } from './compiler-process.ts';
import { sandboxCommand } from './sandbox.ts';

/** Splits the driver's `"arg" "arg"` job line, undoing its backslash escapes. */
export function parseJobLine(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
}

export async function cc1Arguments(p: FlagPaths): Promise<string[]> {
  const { command, args } = await sandboxCommand(['-###', ...compileFlags(p)], {
    includeDir: p.includeDir,
  });
  const res = await runCompilerProcess({
    command,
    args,
    stdin: '',
    timeoutMs: 30_000,
    maxStdoutBytes: 1 << 20,
  });
  const stderr = res.stderr.toString('utf8');
  const jobs = stderr.split('\n').filter((l) => l.includes('"-cc1"'));
  if (res.code !== 0 || jobs.length !== 1) {
    throw new Error(`clang -### did not print one cc1 job (exit ${res.code}):\n${stderr}`);
  }
  const argv = parseJobLine(jobs[0]);
  const cc1 = argv.slice(argv.indexOf('-cc1') + 1);
  if (cc1.at(-1) !== '-') throw new Error(`the cc1 job does not read stdin: ${jobs[0]}`);
  return cc1;
}
