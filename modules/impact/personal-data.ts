import type { PersonalDataHook } from '../../server/context';
import { oid } from '../../server/db/ids';
import { pieceModel } from './model';
import { eraseEvidenceOf } from './evidence';

/**
 * A journalist's pieces and the reach reported for them (staff ids left out). On erasure the pieces leave
 * the public page (their consent goes with the account); the published facts stay in the programme's record.
 */
export const impactPersonalData: PersonalDataHook = {
  key: 'impact',
  async export(ctx, userId) {
    const list = await pieceModel(ctx.db)
      .find({ ownerId: oid(userId) })
      .limit(1000)
      .lean();
    return list.map((p) => ({
      outlet: p.outlet,
      url: p.url,
      publishedOn: p.publishedOn,
      language: p.language,
      format: p.format,
      listPublicly: p.listPublicly,
      reach: p.reach.map((f) => ({
        metric: f.metric,
        value: f.value,
        asOf: f.asOf,
        source: f.source,
        verified: !!f.verifiedAt,
        evidence: f.evidence ? { name: f.evidence.originalName, sha256: f.evidence.sha256 } : null,
      })),
    }));
  },
  async erase(ctx, userId) {
    // Screenshots may show the journalist's own accounts: their bytes go with the account.
    await eraseEvidenceOf(ctx, userId);
    await pieceModel(ctx.db).updateMany({ ownerId: oid(userId) }, { $set: { listPublicly: false } });
  },
};
