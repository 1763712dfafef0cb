import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { pieceModel } from '../../modules/impact/model';
import { impactSummary } from '../../modules/impact';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const staff = new Types.ObjectId();
const fig = (metric: string, value: number, asOf: string, verified: boolean) => ({
  metric,
  value,
  asOf: new Date(asOf),
  source: 'analytics',
  reportedBy: new Types.ObjectId(),
  reportedAt: new Date(asOf),
  ...(verified ? { verifiedAt: new Date(asOf), verifiedBy: staff } : {}),
});
const piece = (n: number, publishedOn: string, format: string, status: string, reach: unknown[]) => ({
  awardId: new Types.ObjectId(),
  ownerId: new Types.ObjectId(),
  outlet: 'Outlet',
  url: `https://news.example.org/summary/${n}`,
  publishedOn: new Date(publishedOn),
  language: 'mn',
  format,
  listPublicly: false,
  link: { status, checkedAt: new Date(publishedOn) },
  reach,
});

test('publication figures of a period: latest verified figure per piece and metric', async () => {
  await pieceModel(t.ctx.db).insertMany([
    // In the period (2030): article with views 1 000 then 2 500 (both verified) and 900 unverified later.
    piece(1, '2030-02-01', 'article', 'ok', [
      fig('views', 1000, '2030-02-05', true),
      fig('views', 2500, '2030-03-05', true),
      fig('views', 9000, '2030-04-05', false),
      fig('shares', 40, '2030-02-05', true),
    ]),
    // TV segment, 3 airings verified; its link is dead now.
    piece(2, '2030-05-01', 'tv', 'dead', [fig('airings', 3, '2030-05-10', true)]),
    // Social post with only an unverified figure.
    piece(3, '2030-06-01', 'social', 'ok', [fig('views', 700, '2030-06-02', false)]),
    // Outside the period (2029 and 2031): never counted.
    piece(4, '2029-12-31', 'article', 'ok', [fig('views', 50_000, '2030-01-02', true)]),
    piece(5, '2031-01-01', 'radio', 'ok', [fig('airings', 8, '2031-01-02', true)]),
  ]);
  const s = await impactSummary(t.ctx, new Date('2030-01-01'), new Date('2031-01-01'));
  // pieces: 1, 2, 3 = 3; article 1, tv 1, social 1, radio 0.
  assert.equal(s.pieces, 3);
  assert.deepEqual(s.byFormat, { article: 1, tv: 1, radio: 0, social: 1 });
  // views: piece 1's latest verified = 2 500 (not 1 000 + 2 500, not the unverified 9 000); piece 3 none.
  // shares: 40; airings: 3 (piece 5 is outside); comments: 0.
  assert.deepEqual(s.verifiedReach, { views: 2500, shares: 40, comments: 0, airings: 3 });
  // dead links: piece 2.
  assert.equal(s.deadLinks, 1);
});
