import type { Connection } from 'mongoose';
import type { Config } from './config';
import type { Logger } from './logging';
import type { Clock } from './clock';
import type { Mailer } from './mail/mailer';
import type { FileStorage } from './storage/storage';

/** Everything a service may depend on, created once by createUmbrella and passed down. */
export interface AppContext {
  config: Config;
  db: Connection;
  log: Logger;
  clock: Clock;
  mailer: Mailer;
  storage: FileStorage;
  /** Every module's share of a person's data export and erasure (from the module descriptors). */
  personalData: readonly PersonalDataHook[];
}

export interface PersonalDataHook {
  /** Top-level key in the export file. */
  key: string;
  export?(ctx: AppContext, userId: string): Promise<unknown>;
  /** Anonymise or remove what the module holds about the user. */
  erase?(ctx: AppContext, userId: string): Promise<void>;
}
