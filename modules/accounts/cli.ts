import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { AppContext } from '../../server/context';
import { email as emailSchema } from './schemas';
import { createAdminAccount } from './service-admin';

const input = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(120),
  password: z.string().optional(),
});

/**
 * `npm run cli -- create-admin --email x@y.org --name "Name" [--password ...]`: the first program
 * manager. Without --password it prints a one-time invitation link (valid 7 days).
 */
export async function createAdmin(ctx: AppContext, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
    strict: true,
  });
  const parsed = input.safeParse(values);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    console.error(`create-admin: invalid ${fields}. Usage: create-admin --email <address> --name "<name>"`);
    process.exitCode = 2;
    return;
  }
  const result = await createAdminAccount(ctx, parsed.data);
  if (result.outcome === 'exists') {
    console.log(
      `An account with ${parsed.data.email} already exists (role: ${result.role}); nothing changed.`,
    );
  } else if (result.outcome === 'weakPassword') {
    console.error('create-admin: the password must be 8-128 characters and not a common password.');
    process.exitCode = 2;
  } else if (result.inviteToken) {
    console.log(`Admin invited: ${parsed.data.email}`);
    console.log(`One-time link (valid 7 days): ${ctx.config.baseUrl}/invite/${result.inviteToken}`);
  } else {
    console.log(`Admin created: ${parsed.data.email}. Two-step verification is set up at first sign-in.`);
  }
}
