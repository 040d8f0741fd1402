import type { ScenarioObservation } from '@ebpf-lab/protocol';
import type { ObjectFacts } from '../object-facts.ts';

/** What an answer check saw go wrong, in the terms a hint or a diagnosing check speaks of. */
export type Symptom = 'nothing' | 'other-file' | 'missed' | 'wrong-length';

export interface Outcome {
  pass: boolean;
  message: string;
  /** For a failed answer check: what went wrong. */
  symptoms?: Symptom[];
  /** For a failed diagnosing check: the symptoms of other checks this failure accounts for. */
  explains?: Symptom[];
}

/** What a check function sees: its scenario (when it has one) and the whole run. */
export interface CheckInput {
  /** The check's own scenario; undefined for checks over every scenario. */
  obs?: ScenarioObservation;
  /** The scenarios the check reads: its own, or all of them. */
  scope: ScenarioObservation[];
  /** Every scenario of the run, for checks that learn a map's role from the others. */
  run: ScenarioObservation[];
  object: ObjectFacts;
}
