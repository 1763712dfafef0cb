import type { Router } from 'express';
import type { AppContext, PersonalDataHook } from './context';
import type { Role } from './types';

/**
 * The contract between a feature module and the composition root (server/modules.ts lists them).
 * A module's index.ts exports one of these; the root mounts its routes, shows its menu entries, runs
 * its jobs, seed steps and CLI commands. Nothing in server/ outside the root knows which modules exist.
 */
export interface UmbrellaModule {
  name: string;
  /** Routers mounted in order, each at its path inside the app. */
  routes?: Array<{ path: string; router: (ctx: AppContext) => Router }>;
  /** Path prefixes that accept cross-site POSTs and check them their own way (LTI launch, token API). */
  crossSitePaths?: string[];
  nav?: NavItem[];
  jobs?: BackgroundJob[];
  /** Idempotent steps run on `npm start` with demo data and by `npm run cli -- seed`, in module order. */
  seed?: SeedStep[];
  cli?: Record<string, CliCommand>;
  /** The module's share of a person's data export and account erasure. */
  personalData?: PersonalDataHook[];
}

export interface NavItem {
  href: string;
  /** i18n key */
  label: string;
  roles: readonly Role[];
}

export interface BackgroundJob {
  name: string;
  intervalMs: number;
  run(ctx: AppContext): Promise<unknown>;
}

/** Returns a text to print (e.g. demo logins), or nothing. */
export type SeedStep = (ctx: AppContext) => Promise<string | void>;

export type CliCommand = (ctx: AppContext, args: string[]) => Promise<void>;
