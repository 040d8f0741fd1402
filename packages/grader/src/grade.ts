// grade(): the exercise's checks, in the exercise's order, over one run's observations.
// Pure and synchronous: no kernel, no files, no clock.
import { CHECK_PARAMS, isCheckKind } from '@ebpf-lab/exercises';
import type { Check, ExerciseMeta } from '@ebpf-lab/exercises';
import type { CheckResult, ScenarioObservation } from '@ebpf-lab/protocol';
import { answerEquals, answerNumber } from './checks/answer.ts';
import { debugPresent } from './checks/debug.ts';
import { mapEmpty, mapTracksFds } from './checks/maps.ts';
import { paddingDiagnosis } from './checks/padding.ts';
import type { CheckInput, Outcome } from './checks/types.ts';
import { objectFacts } from './object-facts.ts';
import { targetTrouble } from './observed.ts';

export interface GradeInput {
  observations: ScenarioObservation[];
  /** Facts from the compiled object (see object-facts.ts); anything else in it is ignored. */
  object?: unknown;
}

function runCheck(check: Check, input: CheckInput): Outcome {
  if (!isCheckKind(check.kind))
    throw new Error(`exercise check ${check.id}: unknown kind ${check.kind}`);
  switch (check.kind) {
    case 'answer-equals':
      return answerEquals(CHECK_PARAMS['answer-equals'].parse(check.params), input.obs!);
    case 'answer-number':
      return answerNumber(CHECK_PARAMS['answer-number'].parse(check.params), input.obs!);
    case 'map-tracks-fds':
      return mapTracksFds(
        CHECK_PARAMS['map-tracks-fds'].parse(check.params),
        input.obs!,
        input.run,
        input.object,
      );
    case 'map-empty':
      return mapEmpty(CHECK_PARAMS['map-empty'].parse(check.params), input.scope, input.object);
    case 'padding-diagnosis':
      return paddingDiagnosis(
        CHECK_PARAMS['padding-diagnosis'].parse(check.params),
        input.scope,
        input.object,
      );
    case 'debug-present':
      return debugPresent(input.scope);
  }
}

/** Planted contents long enough to be a secret; shorter ones are names like "3". */
const MIN_SECRET_CHARS = 8;

/**
 * Hides planted contents wherever a message would print them: a path the target built from the
 * secret (`/tmp/<secret>.log`) is the answer itself. The student still sees what they submitted
 * in the run's events; a check message must not hand out what they did not.
 */
function redact(outcome: Outcome, scope: ScenarioObservation[]): Outcome {
  let message = outcome.message;
  for (const obs of scope) {
    for (const f of obs.planted) {
      const text = Buffer.from(f.hex, 'hex').toString('utf8').trim();
      if (text.length >= MIN_SECRET_CHARS) message = message.split(text).join('<secret>');
    }
  }
  return { ...outcome, message };
}

export function grade(meta: ExerciseMeta, input: GradeInput): CheckResult[] {
  const object = objectFacts(input.object);
  const byId = new Map(input.observations.map((o) => [o.scenario, o]));
  return meta.checks.map((check): CheckResult => {
    const base = {
      id: check.id,
      title: check.title,
      required: check.required,
      ...(check.scenario ? { scenario: check.scenario } : {}),
    };
    const obs = check.scenario ? byId.get(check.scenario) : undefined;
    if (check.scenario && !obs) {
      return {
        ...base,
        status: 'skipped',
        message: `Scenario "${check.scenario}" did not run, so this check could not be made.`,
        hint: check.hint,
      };
    }
    const scope = obs ? [obs] : input.observations;
    if (scope.length === 0) {
      return {
        ...base,
        status: 'skipped',
        message: 'No scenario ran, so this check could not be made.',
        hint: check.hint,
      };
    }
    const outcome = redact(runCheck(check, { obs, scope, run: input.observations, object }), scope);
    if (outcome.pass) return { ...base, status: 'pass', message: outcome.message };
    const trouble = obs ? targetTrouble(obs) : undefined;
    return {
      ...base,
      status: 'fail',
      message: trouble ? `${outcome.message} ${trouble}` : outcome.message,
      hint: check.hint,
    };
  });
}

/** `pass` exactly when every required check passed; bonus checks never decide. */
export function verdict(checks: CheckResult[]): 'pass' | 'fail' {
  return checks.every((c) => !c.required || c.status === 'pass') ? 'pass' : 'fail';
}
