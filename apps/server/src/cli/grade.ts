// npm run grade -- <exercise-id> <file.c> [--json] [--check-only]
// Grades one file exactly as the web lab does. Exit 0 pass, 1 fail, 2 error.
// --check-only compiles and runs the static checks and stops there: nothing is loaded into the
// kernel, so it is how anyone tries a hostile file safely.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { RunResult } from '@ebpf-lab/protocol';
import { createDefaultRunner } from '@ebpf-lab/runner';
import { readCommandLine } from './command-line.ts';

const COMMAND_LINE = {
  usage: 'usage: npm run grade -- <exercise-id> <file.c> [--json] [--check-only]',
  description: [
    'Grades one file exactly as the web lab would. Exit 0 pass, 1 fail, 2 error.',
    '  --json        print the whole result as JSON',
    '  --check-only  compile and run the static checks only: nothing is loaded into the kernel',
    '  -h, --help    print this',
    '  --            ends the options, for a file whose name starts with -',
  ],
  options: { json: { type: 'boolean' }, 'check-only': { type: 'boolean' } },
  positionals: ['<exercise-id>', '<file.c>'],
} as const;

function formatResult(r: RunResult): string {
  const out: string[] = [];
  out.push(`${r.exerciseId}: ${r.status.toUpperCase()}${r.errorKind ? ` (${r.errorKind})` : ''}`);
  for (const s of r.stages) {
    const mark = s.status === 'ok' ? 'ok  ' : s.status === 'failed' ? 'FAIL' : '-   ';
    out.push(`  ${mark} ${s.name.padEnd(9)} ${s.status === 'skipped' ? '' : `${s.durationMs} ms`}`);
  }
  for (const d of r.diagnostics) {
    out.push(`  ${d.severity}: ${d.line ? `line ${d.line}: ` : ''}${d.message}`);
    if (d.explanation) out.push(`    ${d.explanation}`);
    if (d.suggestion) out.push(`    try: ${d.suggestion}`);
  }
  for (const c of r.checks) {
    const mark = c.status === 'pass' ? 'pass' : c.status === 'fail' ? 'FAIL' : 'skip';
    out.push(`  [${mark}] ${c.title}${c.required ? '' : ' (bonus)'}: ${c.message}`);
    if (c.status === 'fail' && c.hint) out.push(`         hint: ${c.hint}`);
  }
  for (const l of r.limits) out.push(`  limit: ${l}`);
  out.push(r.summary);
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const commandLine = readCommandLine(argv, COMMAND_LINE);
  if ('exitCode' in commandLine) return commandLine.exitCode;
  const { json = false, 'check-only': checkOnly = false } = commandLine.values;
  const [exerciseId, file] = commandLine.positionals;
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  const runner = createDefaultRunner();
  const result = await runner.run({ runId: randomUUID(), exerciseId, code, checkOnly }, () => {});
  console.log(json ? JSON.stringify(result, null, 2) : formatResult(result));
  return result.status === 'pass' ? 0 : result.status === 'fail' ? 1 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 2;
  },
);
