// Why the server closed the editor's /lsp socket, in words for the student, and whether trying
// again can help. The codes are the protocol's (LSP_CLOSE); the server's close reason carries the
// detail (which limit, how much memory).
import { LSP_CLOSE } from '@ebpf-lab/protocol/constants';
import type { EditorNotice } from '../editor/editor-context.ts';

/**
 * When to connect again: `never` (it would be refused the same way), `edit` (the next change of
 * the text starts a fresh clangd on it), `later` (after a pause that grows with each refusal).
 */
export type Retry =
  { when: 'never' } | { when: 'edit' } | { when: 'later'; firstMs: number; maxMs: number };

export interface ClosePlan {
  notice: EditorNotice | null;
  retry: Retry;
  /** Whether clangd's markers are now stale (it stopped, rather than paused on unchanged text). */
  clearMarkers: boolean;
}

const RUN_STILL_CHECKS = 'Run still compiles and checks your program.';

export function planAfterClose(code: number, reason: string, signInHref: string): ClosePlan {
  switch (code) {
    case LSP_CLOSE.signInRequired:
      return {
        notice: {
          id: 'sign-in',
          tone: 'info',
          text: 'This lab gives diagnostics as you type to signed-in students only.',
          link: { label: 'Sign in to get them', href: signInHref },
        },
        retry: { when: 'never' },
        clearMarkers: true,
      };
    case LSP_CLOSE.busy:
      // Per user or per address: this student's other tabs hold the sessions.
      if (/per (user|address)|another tab/i.test(reason)) {
        return {
          notice: {
            id: 'busy-tabs',
            tone: 'warn',
            text: `No diagnostics here: too many editor sessions are open in your other lab tabs. Close one of them and they come back here by themselves. ${RUN_STILL_CHECKS}`,
          },
          retry: { when: 'later', firstMs: 10_000, maxMs: 60_000 },
          clearMarkers: true,
        };
      }
      return {
        notice: {
          id: 'busy-lab',
          tone: 'warn',
          text: `No diagnostics for now: every editor session of the lab is in use. They come back here by themselves when one frees up. ${RUN_STILL_CHECKS}`,
        },
        retry: { when: 'later', firstMs: 15_000, maxMs: 120_000 },
        clearMarkers: true,
      };
    case LSP_CLOSE.clangdExited: {
      if (/memory/i.test(reason)) {
        const mib = /(\d+)\s*MiB/.exec(reason)?.[1];
        return {
          notice: {
            id: 'out-of-memory',
            tone: 'warn',
            text: `Your file made clangd run out of memory${mib ? ` (its limit is ${mib} MiB)` : ''}, so it was stopped. Diagnostics resume when you edit. ${RUN_STILL_CHECKS}`,
          },
          retry: { when: 'edit' },
          clearMarkers: true,
        };
      }
      return {
        notice: {
          id: 'stopped',
          tone: 'warn',
          text: `The code assistant (clangd) stopped. Diagnostics resume when you edit. ${RUN_STILL_CHECKS}`,
        },
        retry: { when: 'edit' },
        clearMarkers: true,
      };
    }
    case LSP_CLOSE.tooLarge:
      return {
        notice: {
          id: 'too-large',
          tone: 'warn',
          text: 'The code assistant sent an answer too large to show and was stopped. Diagnostics resume when you edit.',
        },
        retry: { when: 'edit' },
        clearMarkers: true,
      };
    case LSP_CLOSE.idle:
      // The text has not changed since clangd last saw it: its markers still hold.
      return {
        notice: {
          id: 'idle',
          tone: 'info',
          text: 'Diagnostics paused while the editor was idle; they resume when you edit.',
        },
        retry: { when: 'edit' },
        clearMarkers: false,
      };
    default:
      // A drop: the server restarted, the network went away.
      return {
        notice: {
          id: 'disconnected',
          tone: 'warn',
          text: 'Lost the connection to the code assistant; reconnecting…',
        },
        retry: { when: 'later', firstMs: 1_000, maxMs: 30_000 },
        clearMarkers: false,
      };
  }
}

/** The pause before the next attempt after `attempt` refusals in a row, with some jitter. */
export function retryDelay(retry: { firstMs: number; maxMs: number }, attempt: number): number {
  return Math.min(retry.maxMs, retry.firstMs * 2 ** attempt) * (0.8 + Math.random() * 0.4);
}
