export { checkObject } from './check.ts';
export type { MapInfo, ProgramInfo, StaticLimits, StaticResult, StaticRules } from './check.ts';
export { ALLOWED_HELPERS } from './helpers.ts';
export {
  contextSizes,
  contextSizesSync,
  PT_REGS_BYTES,
  recordSize,
  tracepointOf,
  uprobeOf,
} from './tracefs.ts';
export { rulesFor } from './rules.ts';
