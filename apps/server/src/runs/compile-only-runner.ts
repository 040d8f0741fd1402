// The thin slice of a run until the full runner (packages/runner createDefaultRunner) is wired
// in: compile in the sandbox and report clang's diagnostics. It never claims a pass: a program
// that compiles ends as an infrastructure error that costs no attempt.
import type { Exercise } from '@ebpf-lab/exercises';
import type { Diagnostic, RunResult, StageName, StageResult } from '@ebpf-lab/protocol';
import type { LabRunner, RunProgress, RunRequest } from '@ebpf-lab/runner';

export interface CompileOnlyDeps {
  exercises: Map<string, Exercise>;
  compile(
    source: string,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; diagnostics: Diagnostic[]; log: string; limit?: string }>;
  versions(): RunResult['versions'];
}

const LATER_STAGES: StageName[] = ['static', 'verifier', 'attach', 'target', 'checks'];

function describe(d: Diagnostic | undefined): string {
  if (!d) return '';
  return d.line > 0 ? ` Line ${d.line}: ${d.message}` : ` ${d.message}`;
}

export function createCompileOnlyRunner(deps: CompileOnlyDeps): LabRunner {
  return {
    async run(request: RunRequest, onProgress: (p: RunProgress) => void, signal?: AbortSignal) {
      const startedAt = new Date().toISOString();
      const t0 = performance.now();
      const stages: StageResult[] = [];
      const exercise = deps.exercises.get(request.exerciseId);
      const result = (
        status: RunResult['status'],
        errorKind: RunResult['errorKind'],
        summary: string,
        diagnostics: Diagnostic[] = [],
        limits: string[] = [],
      ): RunResult => ({
        runId: request.runId,
        exerciseId: request.exerciseId,
        status,
        errorKind,
        gradable: errorKind !== 'infrastructure',
        summary,
        stages: [...stages, ...LATER_STAGES.map((name) => ({ name, status: 'skipped' as const, durationMs: 0 }))],
        checks: [],
        diagnostics,
        observations: [],
        limits,
        versions: { ...deps.versions(), exerciseHash: exercise ? exercise.meta.id : '' },
        startedAt,
        durationMs: Math.round(performance.now() - t0),
      });
      if (!exercise) {
        return result('error', 'infrastructure', `There is no exercise "${request.exerciseId}".`);
      }

      onProgress({ type: 'stage', stage: 'compile', state: 'started' });
      const c0 = performance.now();
      const compiled = await deps.compile(request.code, signal);
      const stage: StageResult = {
        name: 'compile',
        status: compiled.ok ? 'ok' : 'failed',
        durationMs: Math.round((performance.now() - c0) * 10) / 10,
      };
      if (compiled.log) stage.log = compiled.log;
      stages.push(stage);
      onProgress({ type: 'stage', stage: 'compile', state: 'finished', result: stage });

      if (compiled.limit) {
        return result('error', 'limit', compiled.limit, compiled.diagnostics, [compiled.limit]);
      }
      if (!compiled.ok) {
        const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
        const n = errors.length;
        return result(
          'error',
          'compile',
          `Your code did not compile (${n || 'an'} error${n === 1 ? '' : 's'}).${describe(errors[0])}`,
          compiled.diagnostics,
        );
      }
      return result(
        'error',
        'infrastructure',
        'Your code compiled. Loading and grading are not available on this server yet; this attempt does not count.',
        compiled.diagnostics,
      );
    },
  };
}
