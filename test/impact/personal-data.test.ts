import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { pieceModel } from '../../modules/impact/model';
import { impactModule } from '../../modules/impact';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test("a journalist's pieces are in their export and leave the public page on erasure", async () => {
  const owner = new Types.ObjectId();
  const other = new Types.ObjectId();
  const base = { awardId: new Types.ObjectId(), outlet: 'TV9', publishedOn: new Date('2030-01-01') };
  await pieceModel(t.ctx.db).insertMany([
    {
      ...base,
      ownerId: owner,
      url: 'https://a.example.org/1',
      language: 'mn',
      format: 'tv',
      listPublicly: true,
    },
    {
      ...base,
      ownerId: other,
      url: 'https://a.example.org/2',
      language: 'en',
      format: 'article',
      listPublicly: true,
    },
  ]);
  const hook = impactModule.personalData![0]!;
  const exported = (await hook.export!(t.ctx, String(owner))) as Array<{ url: string }>;
  assert.deepEqual(
    exported.map((p) => p.url),
    ['https://a.example.org/1'],
  );
  await hook.erase!(t.ctx, String(owner));
  const after = await pieceModel(t.ctx.db).find({ awardId: base.awardId }).sort({ url: 1 }).lean();
  assert.deepEqual(
    after.map((p) => p.listPublicly),
    [false, true],
  );
});
