import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { userModel, type Gender, type OutletType } from './model';

/** What programme statistics may count about a person: never a name or an address. */
export interface StatsProfile {
  _id: Types.ObjectId;
  region?: string;
  /** Only where the person agreed to be counted (statsConsentAt set); otherwise absent. */
  outletType?: OutletType;
  gender?: Gender;
}

/**
 * Region, and outlet type and gender where consent was given, for people counted in a report.
 * Consent is applied here, in the module that holds it, so no report can count a field it should not.
 */
export async function statsProfiles(ctx: AppContext, ids: Types.ObjectId[]): Promise<StatsProfile[]> {
  if (!ids.length) return [];
  const rows = await userModel(ctx.db)
    .find({ _id: trusted({ $in: ids }) }, { region: 1, outletType: 1, gender: 1, statsConsentAt: 1 })
    .lean();
  return rows.map((u) => ({
    _id: u._id,
    ...(u.region ? { region: u.region } : {}),
    ...(u.statsConsentAt && u.outletType ? { outletType: u.outletType } : {}),
    ...(u.statsConsentAt && u.gender ? { gender: u.gender } : {}),
  }));
}
