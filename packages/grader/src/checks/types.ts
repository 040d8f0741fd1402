import type { ScenarioObservation } from '@ebpf-lab/protocol';
import type { ObjectFacts } from '../object-facts.ts';

export interface Outcome {
  pass: boolean;
  message: string;
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
