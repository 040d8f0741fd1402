export * from './types.ts';
export { paths } from './paths.ts';
