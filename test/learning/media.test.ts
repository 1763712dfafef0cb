import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, csrfFrom, signIn } from '../factories';
import { jpegWithGps, PDF } from '../grants/helpers';
import { MP3 } from '../support/media-course';
import { lessonMediaModel } from '../../modules/learning/media-model';
import { lessonModel } from '../../modules/learning/model';
import { MAX_LIBRARY_MB, MAX_MEDIA_MB, MAX_MEDIA_PER_COURSE } from '../../modules/learning/media-files';
import { checkFiles } from '../../server/cli/files';
import type { Db } from 'mongodb';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

type Agent = ReturnType<typeof request.agent>;

async function setup() {
  const { course } = await buildCourse(t.ctx);
  const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
  const reader = await signIn(t.app, await buildUser(t.ctx));
  const library = `/trainer/courses/${course.slug}/media`;
  const token = csrfFrom((await trainer.get(library).expect(200)).text);
  return { course, trainer, reader, library, token };
}

/** As the browser sends the form: the hidden token first, then the file. */
const upload = (agent: Agent, library: string, token: string, data: Buffer, name: string) =>
  agent.post(library).field('_csrf', token).attach('file', data, name);

/** Saves lesson-1's draft with one block, then publishes it; returns the publish response. */
async function publishBlock(agent: Agent, courseSlug: string, block: Record<string, string>) {
  const editUrl = `/trainer/courses/${courseSlug}/lessons/lesson-1/edit`;
  const page = await agent.get(editUrl).expect(200);
  const token = csrfFrom(page.text);
  const rev = Number(/name="rev" value="(\d+)"/.exec(page.text)![1]);
  const fields = Object.fromEntries(Object.entries(block).map(([k, v]) => [`b0_${k}`, v]));
  await agent
    .post(editUrl)
    .type('form')
    .send({
      _csrf: token,
      rev: String(rev),
      titleEn: 'Lesson 1',
      titleMn: 'Хичээл 1',
      minutes: '5',
      action: 'save',
      ...fields,
    })
    .expect(303);
  return agent
    .post(`/trainer/courses/${courseSlug}/lessons/lesson-1/publish`)
    .type('form')
    .send({ _csrf: token, rev: String(rev + 1) });
}

test('a trainer uploads a picture (saved without its GPS), a lesson shows it, readers load it cached for good', async () => {
  const { course, trainer, reader, library, token } = await setup();
  const sent = await upload(trainer, library, token, await jpegWithGps(), 'Схем 1 (final).JPG').expect(303);
  assert.match(sent.headers.location ?? '', /\?saved=uploaded&name=skhyem-1-final\.jpg#files$/);
  const listed = await trainer.get(`${library}?saved=uploaded&name=skhyem-1-final.jpg`).expect(200);
  assert.match(listed.text, /Uploaded as skhyem-1-final\.jpg/);
  assert.match(listed.text, /media\/skhyem-1-final\.jpg/);
  assert.match(listed.text, /uploaded as “Схем 1 \(final\)\.JPG”/);

  const media = await lessonMediaModel(t.ctx.db).findOne({ courseId: course._id }).lean();
  assert.ok(media);
  const stored = await t.ctx.storage.read(media.storageKey);
  const meta = await sharp(stored).metadata();
  assert.equal(meta.exif, undefined, 'no EXIF (GPS, camera) in what is stored');
  const check = await checkFiles(t.ctx.db.db as Db, t.ctx.storage);
  assert.ok(check.ok && !check.orphans.includes(media.storageKey), 'verify-files knows lesson media');

  const published = await publishBlock(trainer, course.slug, {
    id: 'b1',
    type: 'image',
    en: 'A diagram',
    mn: 'Схем',
    src: 'media/skhyem-1-final.jpg',
    altEn: 'Arrows from recruitment to exploitation',
    altMn: 'Элсүүлэхээс мөлжлөг хүртэлх сумнууд',
  });
  assert.equal(published.status, 303, published.text);

  const lesson = await reader.get(`/learn/${course.slug}/lesson-1`).expect(200);
  const src = /<img src="([^"]+)" alt="Arrows from recruitment to exploitation"/.exec(lesson.text)?.[1];
  assert.equal(src, `/learn/${course.slug}/media/skhyem-1-final.jpg?v=${media.sha256.slice(0, 12)}`);
  const image = await reader.get(src!).buffer(true).expect(200);
  assert.equal(image.headers['content-type'], 'image/jpeg');
  assert.equal(image.headers['cache-control'], 'private, max-age=31536000, immutable');
  assert.equal(image.headers['x-content-type-options'], 'nosniff');
  assert.deepEqual(image.body, stored);
  // Without the version (or an old one) the browser must ask again; unchanged, it gets a 304.
  const bare = await reader.get(`/learn/${course.slug}/media/skhyem-1-final.jpg`).expect(200);
  assert.equal(bare.headers['cache-control'], 'private, no-cache');
  await reader
    .get(`/learn/${course.slug}/media/skhyem-1-final.jpg`)
    .set('If-None-Match', bare.headers.etag!)
    .expect(304);
  // Signed out: no file.
  const anonymous = await request(t.app).get(src!);
  assert.notEqual(anonymous.status, 200);
  await reader.get(`/learn/${course.slug}/media/none.jpg`).expect(404);
});

test('sound is served in the byte ranges a player asks for; a range past the end is a 416', async () => {
  const { course, reader, trainer, library, token } = await setup();
  await upload(trainer, library, token, MP3, 'interview.mp3').expect(303);
  const url = `/learn/${course.slug}/media/interview.mp3`;
  const whole = await reader.get(url).buffer(true).expect(200);
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.deepEqual(whole.body, MP3);
  const part = await reader.get(url).set('Range', 'bytes=10-19').buffer(true).expect(206);
  assert.equal(part.headers['content-range'], `bytes 10-19/${MP3.length}`);
  assert.deepEqual(part.body, MP3.subarray(10, 20));
  const tail = await reader.get(url).set('Range', 'bytes=-4').buffer(true).expect(206);
  assert.deepEqual(tail.body, MP3.subarray(MP3.length - 4));
  const past = await reader.get(url).set('Range', `bytes=${MP3.length}-`).expect(416);
  assert.equal(past.headers['content-range'], `bytes */${MP3.length}`);
  // Several ranges at once are not served piecemeal: the whole file comes back.
  await reader.get(url).set('Range', 'bytes=0-1,5-6').expect(200);
  // A document is a download under the name it was uploaded with.
  await upload(trainer, library, token, PDF, 'Гарын авлага.pdf').expect(303);
  const doc = await reader.get(`/learn/${course.slug}/media/garyn-avlaga.pdf`).expect(200);
  assert.match(doc.headers['content-disposition'] ?? '', /^attachment; filename="Garyn_avlaga\.pdf"/);
});

test('refused uploads say why at the file field and store nothing', async () => {
  const { course, trainer, library, token } = await setup();
  const before = (await t.ctx.storage.list()).length;
  const refused = async (data: Buffer, name: string, status: number, message: RegExp) => {
    const res = await upload(trainer, library, token, data, name).expect(status);
    assert.match(res.text, message);
    assert.match(res.text, /id="f-file-error"/);
  };
  await refused(Buffer.from('MZ\x90\x00 not a picture'), 'photo.png', 400, /do not match the extension/);
  await refused(Buffer.from('plain text'), 'notes.txt', 400, /cannot be used in lessons/);
  await refused(
    Buffer.alloc(MAX_MEDIA_MB * 1024 * 1024 + 1, 1),
    'long.mp4',
    413,
    new RegExp(`larger than ${MAX_MEDIA_MB} MB`),
  );
  const empty = await trainer.post(library).field('_csrf', token).expect(400);
  assert.match(empty.text, /Choose a file to upload/);
  assert.equal(await lessonMediaModel(t.ctx.db).countDocuments({ courseId: course._id }), 0);
  assert.equal((await t.ctx.storage.list()).length, before, 'no bytes left behind');

  // Not a trainer, no token, or no such course: refused before the file is read.
  const journalist = await signIn(t.app, await buildUser(t.ctx));
  const asJournalist = await journalist.post(library).attach('file', MP3, 'a.mp3');
  assert.ok([403, 404].includes(asJournalist.status), String(asJournalist.status));
  await trainer.post(library).attach('file', MP3, 'a.mp3').expect(403);
  await upload(trainer, '/trainer/courses/no-such-course/media', token, MP3, 'a.mp3').expect(404);
});

test('the same name replaces the file (old bytes removed); a file a lesson shows cannot be removed', async () => {
  const { course, trainer, reader, library, token } = await setup();
  await upload(trainer, library, token, MP3, 'clip.mp3').expect(303);
  const first = await lessonMediaModel(t.ctx.db).findOne({ courseId: course._id, name: 'clip.mp3' }).lean();
  assert.equal(
    (
      await publishBlock(trainer, course.slug, {
        id: 'b1',
        type: 'audio',
        en: 'Listen',
        mn: 'Сонсоорой',
        src: 'media/clip.mp3',
      })
    ).status,
    303,
  );
  const again = await upload(trainer, library, token, MP3, 'clip.mp3').expect(303);
  assert.match(again.headers.location ?? '', /saved=unchanged/);

  const louder = Buffer.concat([MP3, Buffer.alloc(100, 0x77)]);
  const replaced = await upload(trainer, library, token, louder, 'clip.mp3').expect(303);
  assert.match(replaced.headers.location ?? '', /saved=replaced/);
  const second = await lessonMediaModel(t.ctx.db).findOne({ courseId: course._id, name: 'clip.mp3' }).lean();
  assert.notEqual(second!.storageKey, first!.storageKey);
  assert.equal(await t.ctx.storage.exists(first!.storageKey), false, 'the old bytes are gone');
  const lesson = await reader.get(`/learn/${course.slug}/lesson-1`).expect(200);
  assert.match(
    lesson.text,
    new RegExp(`clip\\.mp3\\?v=${second!.sha256.slice(0, 12)}`),
    'the lesson links the new file',
  );
  assert.match(lesson.text, /\(3 KB\)/, 'the size is shown before playing');

  const inUse = await trainer
    .post(`${library}/clip.mp3/remove`)
    .type('form')
    .send({ _csrf: token })
    .expect(409);
  assert.match(inUse.text, /clip\.mp3 is still shown in these lessons/);
  assert.match(inUse.text, /href="\/trainer\/courses\/[^"]+\/lessons\/lesson-1\/edit">Lesson 1</);
  assert.equal(await t.ctx.storage.exists(second!.storageKey), true);

  await upload(trainer, library, token, PDF, 'spare.pdf').expect(303);
  const spare = await lessonMediaModel(t.ctx.db).findOne({ courseId: course._id, name: 'spare.pdf' }).lean();
  await trainer.post(`${library}/spare.pdf/remove`).type('form').send({ _csrf: token }).expect(303);
  assert.equal(await lessonMediaModel(t.ctx.db).countDocuments({ _id: spare!._id }), 0);
  assert.equal(await t.ctx.storage.exists(spare!.storageKey), false);
  await trainer.post(`${library}/spare.pdf/remove`).type('form').send({ _csrf: token }).expect(404);
});

test('publishing refuses a media block whose file is not in the library or not of its kind', async () => {
  const { course, trainer, library, token } = await setup();
  await upload(trainer, library, token, MP3, 'talk.mp3').expect(303);
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ type: 'image', src: 'https://example.org/x.jpg' }, /must come from the course&#39;s media library/],
    [{ type: 'image', src: 'media/missing.jpg' }, /no such file in this course&#39;s media library/],
    [{ type: 'image', src: 'media/talk.mp3' }, /This block shows a picture/],
    [{ type: 'video', src: '' }, /Choose a file for this block/],
  ];
  for (const [block, message] of cases) {
    const res = await publishBlock(trainer, course.slug, {
      id: 'b1',
      en: 'Caption',
      mn: 'Тайлбар',
      altEn: 'Alt',
      altMn: 'Тайлбар',
      ...block,
    });
    assert.equal(res.status, 400, JSON.stringify(block));
    assert.match(res.text, message);
    assert.match(res.text, /Publishing needs the fixes marked below/);
    assert.match(res.text, /id="f-b0_src-error"/);
  }
  const lesson = await lessonModel(t.ctx.db).findOne({ courseId: course._id, slug: 'lesson-1' }).lean();
  assert.equal(lesson!.version, 1, 'nothing was published');
  // A file block may link to a web address.
  const linked = await publishBlock(trainer, course.slug, {
    id: 'b1',
    type: 'file',
    en: 'The protocol',
    mn: 'Протокол',
    src: 'https://www.iom.int/',
  });
  assert.equal(linked.status, 303);
});

test('a full library refuses another file (by count and by total size) at the file field, storing nothing', async () => {
  const { course, trainer, library, token } = await setup();
  const record = (i: number, size: number) => ({
    courseId: course._id,
    name: `filler-${i}.pdf`,
    storageKey: `${'0'.repeat(28)}${String(i).padStart(4, '0')}`,
    sha256: 'a'.repeat(64),
    sourceSha256: 'a'.repeat(64),
    size,
    mime: 'application/pdf',
    ext: 'pdf',
    originalName: `filler-${i}.pdf`,
  });
  await lessonMediaModel(t.ctx.db).create(record(0, MAX_LIBRARY_MB * 1024 * 1024));
  const before = (await t.ctx.storage.list()).length;
  const heavy = await upload(trainer, library, token, PDF, 'one-more.pdf').expect(409);
  assert.match(heavy.text, new RegExp(`more than ${MAX_LIBRARY_MB} MB`));
  await lessonMediaModel(t.ctx.db).deleteMany({ courseId: course._id });
  await lessonMediaModel(t.ctx.db).insertMany(
    Array.from({ length: MAX_MEDIA_PER_COURSE }, (_, i) => record(i, 10)),
  );
  const many = await upload(trainer, library, token, PDF, 'one-more.pdf').expect(409);
  assert.match(many.text, new RegExp(`at most ${MAX_MEDIA_PER_COURSE} files`));
  assert.match(many.text, /id="f-file-error"/);
  assert.equal((await t.ctx.storage.list()).length, before, 'no bytes left behind');
});
