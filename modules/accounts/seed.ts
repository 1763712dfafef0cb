import type { AppContext } from '../../server/context';
import { hashPassword } from '../../server/auth/passwords';
import type { Role } from '../../server/types';
import { userModel } from './model';

/** Demo accounts for a first look. Passwords are printed once; change them before real use. */
export const DEMO_PASSWORD = 'umbrella-demo-2026';

const demoUsers: Array<{
  email: string;
  name: string;
  role: Role;
  outlet?: string;
  region?: string;
  locale: 'en' | 'mn';
}> = [
  { email: 'admin@demo.umbrella', name: 'Oyunaa Batbold', role: 'admin', locale: 'en' },
  { email: 'trainer@demo.umbrella', name: 'Saruul Ganbaatar', role: 'trainer', locale: 'mn' },
  {
    email: 'reviewer1@demo.umbrella',
    name: 'Bolormaa Tsend',
    role: 'reviewer',
    outlet: 'Independent',
    locale: 'en',
  },
  {
    email: 'reviewer2@demo.umbrella',
    name: 'Enkhjin Dorj',
    role: 'reviewer',
    outlet: 'University of Mongolia',
    locale: 'mn',
  },
  {
    email: 'journalist1@demo.umbrella',
    name: 'Anujin Erdene',
    role: 'journalist',
    outlet: 'Ikon.mn',
    region: 'Ulaanbaatar',
    locale: 'mn',
  },
  {
    email: 'journalist2@demo.umbrella',
    name: 'Temuulen Bat',
    role: 'journalist',
    outlet: 'Darkhan Lkha TV',
    region: 'Darkhan-Uul',
    locale: 'mn',
  },
  {
    email: 'journalist3@demo.umbrella',
    name: 'Nomin Purev',
    role: 'journalist',
    outlet: 'Ublife',
    region: 'Ulaanbaatar',
    locale: 'en',
  },
  {
    email: 'journalist4@demo.umbrella',
    name: 'Khulan Sukh',
    role: 'journalist',
    outlet: 'MNB',
    region: 'Orkhon',
    locale: 'mn',
  },
];

/** Seed step: demo users when there are none. Returns the logins to print. */
export async function seedDemoUsers(ctx: AppContext): Promise<string | undefined> {
  const users = userModel(ctx.db);
  if ((await users.estimatedDocumentCount()) > 0) return undefined;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await users.insertMany(demoUsers.map((u) => ({ ...u, passwordHash, status: 'active' })));
  const lines = demoUsers.map((u) => `  ${u.role.padEnd(10)} ${u.email}`);
  return [
    'Demo accounts (password for all: ' + DEMO_PASSWORD + '):',
    ...lines,
    'Admin, trainer and reviewer accounts set up two-step verification at first sign-in.',
  ].join('\n');
}
