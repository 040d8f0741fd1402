// The protocol's constants, without zod: limits, the clangd socket's close codes, the stages of a
// run and their titles. Re-exported by index.ts; the web's first page imports this file alone.

/** Largest WebSocket message the server accepts, in bytes. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Largest C source a student may submit, in bytes. */
export const MAX_SOURCE_BYTES = 64 * 1024;
/** Largest record `SUBMIT`/`DEBUG` can carry (see bpf-templates/common/lab.h). */
export const MAX_RECORD_BYTES = 256;

// The editor's clangd socket (/lsp): why the server closed it, 4000 + reason. The close reason
// carries the detail (which limit, how much memory); the browser puts it in words.
export const LSP_CLOSE = {
  idle: 4001,
  busy: 4002,
  tooLarge: 4003,
  clangdExited: 4004,
  signInRequired: 4005,
} as const;

/** Stages of one run, in order (`StageName` in index.ts is their schema). */
export const STAGE_NAMES = ['compile', 'static', 'verifier', 'attach', 'target', 'checks'] as const;
export type StageName = (typeof STAGE_NAMES)[number];
export const STAGE_TITLES: Record<StageName, string> = {
  compile: 'Compile',
  static: 'Static checks',
  verifier: 'Verifier',
  attach: 'Attach',
  target: 'Target runs',
  checks: 'Checks',
};
