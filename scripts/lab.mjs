#!/usr/bin/env node
// The lab's one entry point: `npm start`, `npm test`, `npm run setup|grade|bench|lab|worker`.
// Plain Node with no dependencies, because it is what installs the dependencies.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logTo } from './lib/log.mjs';
import { PreflightError } from './lib/preflight.mjs';
import { StepError, runAttached } from './lib/proc.mjs';
import { labPaths, setup } from './lib/setup.mjs';
import { countTests, summaryLine } from './lib/test-summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'start', ...args] = process.argv.slice(2);

async function tsx(script, scriptArgs, options) {
  const p = labPaths(root);
  if (!existsSync(join(root, script))) {
    console.error(`lab: ${script} is missing`);
    return 1;
  }
  return runAttached(p.tsx, [script, ...scriptArgs], { cwd: root, ...options });
}

async function test() {
  const p = labPaths(root);
  const report = join(p.build, 'vitest-report.json');
  rmSync(report, { force: true });
  const code = await runAttached(
    join(root, 'node_modules', '.bin', 'vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    { cwd: root },
  );
  if (!existsSync(report)) {
    // vitest died before reporting (a broken config): say so rather than print a false count.
    console.log(summaryLine({ passed: 0, failed: 1, skipped: 0 }));
    return code || 1;
  }
  const counts = countTests(JSON.parse(readFileSync(report, 'utf8')));
  if (code !== 0 && counts.failed === 0) {
    // Errors outside any test (an unhandled rejection, a crashed worker) still fail the run.
    console.log(`vitest exited with status ${code} without a failing test: see the errors above`);
    counts.failed = 1;
  }
  console.log(summaryLine(counts));
  return counts.failed > 0 ? code || 1 : 0;
}

const commands = {
  setup: async () => 0,
  start: () => tsx('apps/server/src/main.ts', args),
  test,
  grade: () => tsx('apps/server/src/cli/grade.ts', args),
  lab: () => tsx('apps/server/src/cli/lab.ts', args),
  worker: () => tsx('apps/server/src/worker-main.ts', args),
  'test:container': () => tsx('docker/test-container.ts', args),
  bench: () => tsx('scripts/bench/index.ts', args),
};

async function main() {
  const action = commands[command];
  if (!action) {
    console.error(`usage: node scripts/lab.mjs <${Object.keys(commands).join('|')}> [args...]`);
    return 2;
  }
  // grade --json and lab print data on stdout: set-up talks on stderr for them.
  if (command === 'grade' || command === 'lab' || command === 'bench') logTo(process.stderr);
  try {
    // grade runs for real anyway; lab and bench need no proof that a run works first.
    await setup(root, {
      selfCheck: command === 'start' || command === 'test' || command === 'setup',
    });
  } catch (e) {
    if (e instanceof PreflightError || e instanceof StepError) {
      console.error(`\nlab: cannot continue.\n${e.message}`);
      // CI reads the closing line: a set-up that stops the tests is one failure, not silence.
      if (command === 'test') console.log(summaryLine({ passed: 0, failed: 1, skipped: 0 }));
      return command === 'grade' ? 2 : 1;
    }
    throw e;
  }
  return action();
}

process.exitCode = await main();
