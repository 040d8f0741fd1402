// `npm run lab -- reset-link <email>`: a password reset link for any account, printed once. The
// way back in for an instructor who forgot their password (instructors hand out links for their
// students and assistants on the desk).
import { z } from 'zod';
import { openStore } from '@ebpf-lab/store';
import { issueResetLink } from './reset-links.ts';

export const RESET_LINK_USAGE = 'usage: npm run lab -- reset-link <email>';

const Email = z.string().trim().toLowerCase().email('give an email address');

export async function resetLinkCommand(
  email: string,
  options: { dataDir: string; databaseUrl?: string; publicUrl?: string; port: number },
): Promise<number> {
  const parsed = Email.safeParse(email);
  if (!parsed.success) {
    console.error(`reset-link: ${parsed.error.issues[0].message}\n${RESET_LINK_USAGE}`);
    return 2;
  }
  // A server may be running on this store: its live runs must not be marked interrupted.
  const { store } = await openStore(options.dataDir, {
    databaseUrl: options.databaseUrl,
    interruptUnfinished: false,
  });
  try {
    const user = await store.getUserByEmail(parsed.data);
    if (!user) {
      console.error(`reset-link: no account has the email ${parsed.data}`);
      return 1;
    }
    const link = await issueResetLink(store, user.id, null);
    const origin = options.publicUrl ?? `http://localhost:${options.port}`;
    console.log(`Reset link for ${user.email} (works once, until ${link.expiresAt}):`);
    console.log(new URL(link.resetPath, origin).href);
    return 0;
  } finally {
    await store.close();
  }
}
