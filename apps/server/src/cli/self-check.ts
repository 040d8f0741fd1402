// The set-up's last step (`tsx apps/server/src/cli/self-check.ts`): one real run of an exercise's
// solution end to end, as /api/health runs it (system/self-check.ts). Prints one line and exits
// 0 when it passed; prints the stage it stopped at and why, and exits 1, when it did not.
import { loadExercises } from '@ebpf-lab/exercises';
import { paths } from '@ebpf-lab/runner';
import { createSelfCheck, selfCheckExercise } from '../system/self-check.ts';

async function main(): Promise<number> {
  const exercise = selfCheckExercise(loadExercises(paths.templatesDir));
  if (!exercise) {
    console.error(`no exercise under ${paths.templatesDir} to run`);
    return 1;
  }
  const r = await createSelfCheck({ exercise })();
  for (const note of r.notes ?? []) console.log(`note: ${note}`);
  if (!r.ok) {
    console.error(`${r.exerciseId}'s solution did not pass: stopped at ${r.stage}: ${r.message}`);
    return 1;
  }
  console.log(`${r.exerciseId}'s solution passed end to end in ${r.durationMs} ms`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
