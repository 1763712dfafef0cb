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
}
