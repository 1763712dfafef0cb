import { test } from 'node:test';
import assert from 'node:assert/strict';
import JSZip from 'jszip';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { courseWithMedia } from '../support/media-course';
import { buildTestApp } from '../support/app';
import { binary } from '../support/binary';
import { buildUser, signIn } from '../factories';
import { importCourses } from '../../modules/learning';
import { exportCommonCartridge } from '../../modules/interop/interchange';
import { child, childrenNamed, parseXml, type XmlElement } from '../../modules/interop/interchange/xml';

const CP = 'http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1';
const QTI = 'http://www.imsglobal.org/xsd/ims_qtiasiv1p2';
const PROFILES = ['cc.multiple_choice.v0p1', 'cc.multiple_response.v0p1', 'cc.true_false.v0p1'];

const all = (el: XmlElement, name: string): XmlElement[] => [
  ...(el.name === name ? [el] : []),
  ...el.children.flatMap((c) => all(c, name)),
];

/**
 * Strict structural checks of the CC 1.3 manifest and its QTI (the IMS XSDs could not be obtained
 * here): namespaces and version, unique identifiers, every reference resolving to a resource and every
 * resource's file inside the package, CC resource types, and QTI items the CC profile allows.
 */
async function checkCartridge(zip: JSZip) {
  const manifestText = await zip.file('imsmanifest.xml')!.async('string');
  const manifest = parseXml(manifestText);
  assert.equal(manifest.name, 'manifest');
  assert.equal(manifest.attrs.xmlns, CP);
  assert.match(manifest.attrs['xsi:schemaLocation'] ?? '', /ccv1p3_imscp_v1p2_v1p0\.xsd/);
  const metadata = child(manifest, 'metadata')!;
  assert.equal(child(metadata, 'schema')?.text, 'IMS Common Cartridge');
  assert.equal(child(metadata, 'schemaversion')?.text, '1.3.0');
  const ids = [...all(manifest, 'item'), ...all(manifest, 'resource'), ...all(manifest, 'organization')].map(
    (e) => e.attrs.identifier,
  );
  assert.equal(new Set(ids).size, ids.length, 'identifiers are unique');
  const org = child(child(manifest, 'organizations')!, 'organization')!;
  assert.equal(org.attrs.structure, 'rooted-hierarchy');
  assert.equal(childrenNamed(org, 'item').length, 1, 'one root item');
  const resources = new Map(all(manifest, 'resource').map((r) => [r.attrs.identifier, r]));
  for (const item of all(org, 'item').filter((i) => i.attrs.identifierref)) {
    assert.ok(resources.has(item.attrs.identifierref!), `${item.attrs.identifierref} resolves`);
    assert.ok(child(item, 'title')?.text.trim());
  }
  const files = Object.keys(zip.files);
  const assessments: XmlElement[] = [];
  for (const r of resources.values()) {
    assert.ok(
      ['webcontent', 'imsqti_xmlv1p2/imscc_xmlv1p3/assessment'].includes(r.attrs.type ?? ''),
      r.attrs.type,
    );
    for (const f of childrenNamed(r, 'file'))
      assert.ok(files.includes(f.attrs.href!), `${f.attrs.href} in package`);
    for (const d of childrenNamed(r, 'dependency'))
      assert.ok(resources.has(d.attrs.identifierref!), `${d.attrs.identifierref} resolves`);
    if (r.attrs.type === 'webcontent' && r.attrs.href) {
      const html = await zip.file(r.attrs.href)!.async('string');
      assert.match(html, /<section lang="en">/);
      assert.match(html, /<section lang="mn">/);
      // Every file the page shows is in the package, at the path the page gives (relative to the page).
      for (const [, ref] of html.matchAll(/ (?:src|href)="(?!https?:|mailto:|#)([^"]+)"/g))
        assert.ok(
          files.includes(path.posix.join(path.posix.dirname(r.attrs.href), ref!)),
          `${ref} from ${r.attrs.href}`,
        );
    } else if (r.attrs.type !== 'webcontent') {
      const href = childrenNamed(r, 'file')[0]!.attrs.href!;
      assessments.push(parseXml(await zip.file(href)!.async('string')));
    }
  }
  let items = 0;
  for (const qti of assessments) {
    assert.equal(qti.name, 'questestinterop');
    assert.equal(qti.attrs.xmlns, QTI);
    const a = child(qti, 'assessment')!;
    assert.ok(a.attrs.ident && a.attrs.title);
    for (const item of all(a, 'item')) {
      items += 1;
      const fields = all(item, 'qtimetadatafield').map((f) => [
        child(f, 'fieldlabel')?.text,
        child(f, 'fieldentry')?.text,
      ]);
      const profile = fields.find(([l]) => l === 'cc_profile')?.[1] ?? '';
      assert.ok(PROFILES.includes(profile), `${item.attrs.ident}: ${profile}`);
      const labels = all(item, 'response_label').map((l) => l.attrs.ident);
      const lid = all(item, 'response_lid')[0]!;
      assert.equal(lid.attrs.rcardinality, profile === 'cc.multiple_response.v0p1' ? 'Multiple' : 'Single');
      const refs = all(item, 'varequal').map((v) => v.text);
      assert.ok(refs.length >= 1);
      for (const ref of refs) assert.ok(labels.includes(ref), `${item.attrs.ident}: ${ref} is an answer`);
      if (profile === 'cc.true_false.v0p1') assert.deepEqual(labels, ['true', 'false']);
      // Every text carries both languages.
      for (const m of all(item, 'mattext')) assert.match(m.text, /<div lang="en">.*<div lang="mn">/s);
    }
  }
  return { assessments: assessments.length, items };
}

test('the course exports as a Common Cartridge 1.3 whose manifest and QTI hold together', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const { zip, left } = await exportCommonCartridge(t.ctx, 'tip-reporting');
    const pkg = await JSZip.loadAsync(zip);
    const { assessments, items } = await checkCartridge(pkg);
    assert.ok(assessments >= 2, `${assessments} assessments`);
    assert.ok(items > 10, `${items} items`);
    // Ordering and case questions have no CC type: named, not silently dropped.
    const types = await t.ctx.db
      .collection('questions')
      .find({ qid: { $in: left } })
      .toArray();
    assert.ok(left.length > 0);
    assert.ok(types.every((q) => q.type === 'ordering' || q.type === 'case'));

    const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
    const res = await trainer
      .get('/trainer/courses/tip-reporting/interchange/cartridge.imscc')
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.match(res.headers['content-disposition'] ?? '', /tip-reporting\.imscc/);
    await checkCartridge(await JSZip.loadAsync(res.body as Buffer));
    const journalist = await signIn(t.app, await buildUser(t.ctx));
    await journalist.get('/trainer/courses/tip-reporting/interchange/cartridge.imscc').expect(403);
  } finally {
    await t.close();
  }
});

test('the structural check fails a broken cartridge (so a pass means something)', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const { zip } = await exportCommonCartridge(t.ctx, 'tip-reporting');
    const pkg = await JSZip.loadAsync(zip);
    const manifest = await pkg.file('imsmanifest.xml')!.async('string');
    const missingFile = await JSZip.loadAsync(zip);
    missingFile.remove('Q1/assessment.xml');
    await assert.rejects(checkCartridge(missingFile));
    const badRef = await JSZip.loadAsync(zip);
    badRef.file('imsmanifest.xml', manifest.replace('identifierref="R_L1"', 'identifierref="R_nope"'));
    await assert.rejects(checkCartridge(badRef), /R_nope resolves/);
  } finally {
    await t.close();
  }
});

test('lesson media travel in the cartridge: in web_resources/, shown by the lesson pages that depend on them', async () => {
  const t = await buildTestApp();
  const dir = await courseWithMedia();
  try {
    await importCourses(t.ctx, dir);
    const pkg = await JSZip.loadAsync((await exportCommonCartridge(t.ctx, 'media-course')).zip);
    await checkCartridge(pkg);
    const files = Object.keys(pkg.files);
    assert.ok(files.includes('web_resources/media/routes-map.png'));
    assert.ok(files.includes('web_resources/media/survivor-voice.mp3'));
    const manifest = await pkg.file('imsmanifest.xml')!.async('string');
    assert.match(
      manifest,
      /<resource identifier="R_MEDIA" type="webcontent"><file href="web_resources\/media\/routes-map\.png"\/>/,
    );
    assert.match(
      manifest,
      /<resource identifier="R_L1" [^>]*>.*<dependency identifierref="R_MEDIA"\/><\/resource>/,
    );
    const first = files.find((f) => f.startsWith('lessons/01-'))!;
    const html = await pkg.file(first)!.async('string');
    assert.match(html, /<img src="..\/web_resources\/media\/routes-map.png" alt="A map of routes">/);
    assert.match(
      html,
      /<audio controls="controls" src="..\/web_resources\/media\/survivor-voice.mp3"><\/audio>/,
    );
    // The check notices a page that shows a file the package does not carry.
    pkg.remove('web_resources/media/routes-map.png');
    await assert.rejects(checkCartridge(pkg), /routes-map\.png/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
