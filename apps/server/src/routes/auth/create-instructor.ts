// `npm run lab -- create-instructor <email> [--name <name>]`: instructors are made on the
// command line, never through the web. The password comes from stdin when piped, otherwise
// a random one is drawn and printed once.
import { randomBytes } from 'node:crypto';
import { firstIssue } from '@ebpf-lab/protocol';
import { z } from 'zod';
import { openStore } from '@ebpf-lab/store';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.ts';

const Args = z.object({
  email: z.string().trim().toLowerCase().email('give an email address'),
  name: z
    .string()
    .trim()
    .min(1, 'give a name, or leave --name out')
    .max(100, 'a name has at most 100 characters')
    .optional(),
});

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split('\n')[0].trim();
}

export const CREATE_INSTRUCTOR_USAGE =
  'usage: npm run lab -- create-instructor <email> [--name <name>]';

/** The command line's arguments, as `npm run lab` read them; checked here. */
export async function createInstructorCommand(
  args: { email: string; name?: string },
  dataDir: string,
  databaseUrl?: string,
): Promise<number> {
  const parsed = Args.safeParse(args);
  if (!parsed.success) {
    console.error(
      `create-instructor: ${firstIssue(parsed.error).message}\n${CREATE_INSTRUCTOR_USAGE}`,
    );
    return 2;
  }
  let password = await readStdin();
  const generated = password === '';
  if (generated) password = randomBytes(12).toString('base64url');
  if (password.length < MIN_PASSWORD_LENGTH) {
    console.error(
      `create-instructor: the password needs at least ${MIN_PASSWORD_LENGTH} characters`,
    );
    return 2;
  }
  // A server may be running on this store, and its live runs must not be marked interrupted by
  // an administrator's command.
  const { store } = await openStore(dataDir, { databaseUrl, interruptUnfinished: false });
  try {
    if (await store.getUserByEmail(parsed.data.email)) {
      console.error(
        `create-instructor: an account with the email ${parsed.data.email} exists already`,
      );
      return 1;
    }
    const user = await store.createUser({
      email: parsed.data.email,
      name: parsed.data.name ?? parsed.data.email.split('@')[0],
      role: 'instructor',
      passwordHash: await hashPassword(password),
    });
    console.log(`Instructor ${user.email} created in ${databaseUrl ? 'the database' : dataDir}.`);
    if (generated) console.log(`Password (shown once): ${password}`);
    return 0;
  } finally {
    await store.close();
  }
}
