// grade(): the exercise's checks, in the exercise's order, over one run's observations.
// Pure and synchronous: no kernel, no files, no clock.
import { CHECK_PARAMS, isCheckKind } from '@ebpf-lab/exercises';
import type { Check, CheckKind, CheckParams, ExerciseMeta } from '@ebpf-lab/exercises';
import type { CheckResult, ScenarioObservation } from '@ebpf-lab/protocol';
import { answerEquals, answerNothing, answerNumber } from './checks/answer.ts';
import { callsSubmitted, latencyHistogram } from './checks/calls.ts';
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

/**
 * A check's parameters, parsed once per check: an exercise's checks live as long as the lab.
 * With the planted contents decoded once per run (secretsOf), grading the flagship's solution
 * took 0.15 ms of CPU instead of 0.21. The check functions only read their parameters.
 */
const paramsRead = new WeakMap<Check, unknown>();

function paramsOf<K extends CheckKind>(check: Check, kind: K): CheckParams<K> {
  if (!paramsRead.has(check)) paramsRead.set(check, CHECK_PARAMS[kind].parse(check.params));
  return paramsRead.get(check) as CheckParams<K>;
}

function runCheck(check: Check, input: CheckInput): Outcome {
  if (!isCheckKind(check.kind))
    throw new Error(`exercise check ${check.id}: unknown kind ${check.kind}`);
  switch (check.kind) {
    case 'answer-equals':
      return answerEquals(paramsOf(check, 'answer-equals'), input.obs!);
    case 'answer-number':
      return answerNumber(paramsOf(check, 'answer-number'), input.obs!);
    case 'answer-nothing':
      return answerNothing(input.obs!);
    case 'map-tracks-fds':
      return mapTracksFds(paramsOf(check, 'map-tracks-fds'), input.obs!, input.run, input.object);
    case 'map-empty':
      return mapEmpty(paramsOf(check, 'map-empty'), input.scope, input.object);
    case 'padding-diagnosis':
      return paddingDiagnosis(paramsOf(check, 'padding-diagnosis'), input.scope, input.object);
    case 'debug-present':
      return debugPresent(input.scope);
    case 'calls-submitted':
      return callsSubmitted(paramsOf(check, 'calls-submitted'), input.obs!);
    case 'latency-histogram':
      return latencyHistogram(paramsOf(check, 'latency-histogram'), input.obs!);
  }
}

/** Planted contents long enough to be a secret; shorter ones are names like "3". */
const MIN_SECRET_CHARS = 8;

/**
 * Hides planted contents wherever a message would print them: a path the target built from the
 * secret (`/tmp/<secret>.log`) is the answer itself. The student still sees what they submitted
 * in the run's events; a check message must not hand out what they did not.
 */
function redact(
  outcome: Outcome,
  scope: ScenarioObservation[],
  secrets: Map<ScenarioObservation, string[]>,
): Outcome {
  let message = outcome.message;
  for (const obs of scope) {
    for (const text of secrets.get(obs) ?? []) message = message.split(text).join('<secret>');
  }
  return { ...outcome, message };
}

/** The planted contents of a scenario that `redact` hides: decoded once per run, not per check. */
function secretsOf(obs: ScenarioObservation): string[] {
  return obs.planted
    .map((f) => Buffer.from(f.hex, 'hex').toString('utf8').trim())
    .filter((text) => text.length >= MIN_SECRET_CHARS);
}

interface Graded {
  check: Check;
  result: CheckResult;
  outcome?: Outcome;
}

export function grade(meta: ExerciseMeta, input: GradeInput): CheckResult[] {
  const object = objectFacts(input.object);
  const byId = new Map(input.observations.map((o) => [o.scenario, o]));
  const secrets = new Map(input.observations.map((o) => [o, secretsOf(o)]));
  const graded = meta.checks.map((check): Graded => {
    const base = {
      id: check.id,
      title: check.title,
      required: check.required,
      ...(check.scenario ? { scenario: check.scenario } : {}),
    };
    const obs = check.scenario ? byId.get(check.scenario) : undefined;
    if (check.scenario && !obs) {
      return {
        check,
        result: {
          ...base,
          status: 'skipped',
          message: `Scenario "${check.scenario}" did not run, so this check could not be made.`,
          hint: check.hint,
        },
      };
    }
    const scope = obs ? [obs] : input.observations;
    // What the target did is incomplete where the lab lost events: a check on it could fail a
    // correct program or pass a wrong one, so it is not made (the runner does not grade such a
    // run at all; this keeps the grader right on its own).
    const lossy = scope.find((o) => o.lostEvents);
    if (lossy) {
      return {
        check,
        result: {
          ...base,
          status: 'skipped',
          message:
            `The lab lost ${lossy.lostEvents} of the target's traced calls in scenario ` +
            `"${lossy.scenario}", so this check could not be made.`,
          hint: check.hint,
        },
      };
    }
    if (scope.length === 0) {
      return {
        check,
        result: {
          ...base,
          status: 'skipped',
          message: 'No scenario ran, so this check could not be made.',
          hint: check.hint,
        },
      };
    }
    const outcome = redact(
      runCheck(check, { obs, scope, run: input.observations, object }),
      scope,
      secrets,
    );
    if (outcome.pass)
      return { check, outcome, result: { ...base, status: 'pass', message: outcome.message } };
    const trouble = obs ? targetTrouble(obs) : undefined;
    return {
      check,
      outcome,
      result: {
        ...base,
        status: 'fail',
        message: trouble ? `${outcome.message} ${trouble}` : outcome.message,
        hint: check.hint,
      },
    };
  });
  return causesFirst(graded);
}

function withoutHint(result: CheckResult): CheckResult {
  const copy = { ...result };
  delete copy.hint;
  return copy;
}

/**
 * Points a failure that another failing check accounts for at that check, instead of teaching
 * its own pitfall: dirty key padding is why the answer checks saw nothing, a leftover in-flight
 * marker is why a later file was captured. A hint is kept only when what was observed fits it.
 */
function causesFirst(graded: Graded[]): CheckResult[] {
  const causes = graded.filter((g) => g.result.status === 'fail' && g.outcome?.explains?.length);
  return graded.map(({ check, result, outcome }) => {
    const symptoms = outcome?.symptoms ?? [];
    if (result.status !== 'fail' || symptoms.length === 0) return result;
    const cause = causes.find(
      (c) => c.check.id !== check.id && symptoms.every((s) => c.outcome!.explains!.includes(s)),
    );
    if (cause) {
      return {
        ...withoutHint(result),
        message: `${result.message} This follows from the failed check "${cause.check.title}": fix that first.`,
        causedBy: cause.check.id,
      };
    }
    if (check.hintWhen && !symptoms.some((s) => check.hintWhen!.includes(s)))
      return withoutHint(result);
    return result;
  });
}

/**
 * The run's one-sentence summary. When required checks fail it names the check to look at
 * first: one that explains other failures before any of the failures it explains.
 */
export function summary(checks: CheckResult[]): string {
  const required = checks.filter((c) => c.required);
  const failed = required.filter((c) => c.status !== 'pass');
  if (failed.length === 0) return `All ${required.length} required checks passed.`;
  const causes = new Set(checks.flatMap((c) => (c.causedBy ? [c.causedBy] : [])));
  const cause = checks.find((c) => c.status === 'fail' && causes.has(c.id));
  const head = `${failed.length} of ${required.length} required checks failed.`;
  if (cause) return `${head} Start with: ${cause.title} (it explains the others).`;
  return `${head} First: ${(failed.find((c) => !c.causedBy) ?? failed[0]).title}.`;
}

/** `pass` exactly when every required check passed; bonus checks never decide. */
export function verdict(checks: CheckResult[]): 'pass' | 'fail' {
  return checks.every((c) => !c.required || c.status === 'pass') ? 'pass' : 'fail';
}
