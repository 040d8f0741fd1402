// From an exercise's scenarios to what the loader plants and runs. The secret is drawn per run,
// so an answer cannot be hard-coded or replayed from an earlier run.
import { randomInt } from 'node:crypto';
import type { ExerciseMeta } from '@ebpf-lab/exercises';
import type { LoaderScenario } from '@ebpf-lab/protocol';

export function drawSecret(spec: ExerciseMeta['secret']): string {
  let s = '';
  for (let i = 0; i < spec.length; i++) s += spec.alphabet[randomInt(spec.alphabet.length)];
  return s;
}

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

export interface PreparedScenarios {
  scenarios: LoaderScenario[];
  /** Per scenario, the planted files as the grader sees them. */
  planted: Map<string, { path: string; hex: string }[]>;
}

export function prepareScenarios(
  meta: ExerciseMeta,
  secret: string,
  targetPath: string,
): PreparedScenarios {
  const planted = new Map<string, { path: string; hex: string }[]>();
  const scenarios = meta.scenarios.map((s) => {
    const files = s.files.map((f) => ({
      path: f.path,
      hex: hex(f.content.replaceAll('{{secret}}', secret)),
      mode: f.mode,
    }));
    planted.set(
      s.id,
      files.map(({ path, hex }) => ({ path, hex })),
    );
    return {
      id: s.id,
      target: targetPath,
      args: s.args.map((a) => a.replaceAll('{{secret}}', secret)),
      files,
      wallMs: s.wallMs ?? meta.limits.wallMs,
      ...(meta.network === 'private' ? { network: 'private' as const } : {}),
    };
  });
  return { scenarios, planted };
}
