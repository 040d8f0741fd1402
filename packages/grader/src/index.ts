// Pure functions from an exercise's checks and a run's observations to ordered check results.
export { grade, summary, verdict } from './grade.ts';
export type { GradeInput } from './grade.ts';
export { KeyLayout, keyHoles, ObjectFacts, objectFacts } from './object-facts.ts';
export { timeline } from './observed.ts';
