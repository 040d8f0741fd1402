export { checkObject } from './check.ts';
export type {
  MapInfo,
  ProgramInfo,
  StaticLimits,
  StaticResult,
  StaticRules,
} from './check-types.ts';
export { ALLOWED_HELPERS } from './helpers.ts';
export { contextSizes, contextSizesSync, recordSize, tracepointOf } from './tracefs.ts';
export { rulesFor } from './rules.ts';
