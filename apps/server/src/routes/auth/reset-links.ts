// Password reset links: a random token in the link, only its SHA-256 in the store, single use,
// expiring. Instructors hand them out for their course's members; the lab's administrator for
// anyone, with `npm run lab -- reset-link <email>`.
import { randomBytes } from 'node:crypto';
import type { Store } from '@ebpf-lab/store';
import { hashToken } from './session.ts';

/** The path of a reset link; the web app serves the page that sets a new password there. */
export const resetPath = (token: string): string => `/reset/${token}`;

export const DEFAULT_RESET_LINK_TTL_MS = 3 * 24 * 3600_000;

/**
 * Draws a reset link for the account and stores only the token's hash; the link is shown once,
 * to whoever asked, and a newer one replaces it.
 */
export async function issueResetLink(
  store: Store,
  userId: string,
  createdBy: string | null,
  ttlMs: number = DEFAULT_RESET_LINK_TTL_MS,
): Promise<{ resetPath: string; expiresAt: string }> {
  // 256 bits: the link alone opens the account.
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  await store.createPasswordReset({ tokenHash: hashToken(token), userId, createdBy, expiresAt });
  return { resetPath: resetPath(token), expiresAt: expiresAt.toISOString() };
}
