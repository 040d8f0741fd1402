import type { ScenarioObservation } from '@ebpf-lab/protocol';
import { plural } from '../observed.ts';
import type { Outcome } from './types.ts';

export function debugPresent(scope: ScenarioObservation[]): Outcome {
  const n = scope.reduce((sum, o) => sum + o.debug.length, 0);
  return n > 0
    ? { pass: true, message: `Your program printed ${plural(n, 'DEBUG line')}.` }
    : { pass: false, message: 'Expected at least one DEBUG line; your program printed none.' };
}
