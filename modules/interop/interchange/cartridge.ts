import JSZip from 'jszip';
import type { AppContext } from '../../../server/context';
import { NotFound } from '../../../server/http/errors';
import { courseMedia, courseWithPublishedLessons, MEDIA_PREFIX, mediaRef, type Block } from '../../learning';
import { courseQuizBank } from '../../quizzes';
import { escapeXml } from './xml';
import { escapeHtml, fromBankQuestion, type InterchangeQuestion } from './model';
import { isCorrect } from './moodle';

/*
 * IMS Common Cartridge 1.3 export: imsmanifest.xml (organization: one item per lesson and quiz),
 * lessons as webcontent (one HTML file each, English then Mongolian, each marked with lang; the library
 * files they show in web_resources/media/, one shared resource each lesson depends on), quizzes as
 * QTI 1.2 assessments in the CC profile. The CC profile has multiple choice, multiple response and
 * true/false: single → multiple_choice, multiple and spot-harm → multiple_response, true-false →
 * true_false. Ordering and case questions have no CC type and are left out (named in `left`).
 */

const NS = {
  cp: 'http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1',
  lom: 'http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource',
  lomimscc: 'http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  qti: 'http://www.imsglobal.org/xsd/ims_qtiasiv1p2',
};
const SCHEMA_LOCATION = `${NS.cp} http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd`;
const QTI_LOCATION = `${NS.qti} http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_qtiasiv1p2p1_v1p0.xsd`;

/** Where a cartridge keeps files its pages share (the CC convention Moodle and Canvas read). */
const WEB_RESOURCES = 'web_resources';

const PROFILE: Partial<Record<InterchangeQuestion['type'], string>> = {
  single: 'cc.multiple_choice.v0p1',
  'spot-harm': 'cc.multiple_response.v0p1',
  multiple: 'cc.multiple_response.v0p1',
  'true-false': 'cc.true_false.v0p1',
};

const both = (t: { en?: string; mn?: string } | undefined) =>
  t ? `<div lang="en">${escapeHtml(t.en ?? '')}</div><div lang="mn">${escapeHtml(t.mn ?? '')}</div>` : '';
const paragraphs = (s: string) =>
  s
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join('\n');

/** A block's file as the lesson page finds it in the cartridge (library files travel in web_resources/). */
const fileHref = (src: string) => (src.startsWith(MEDIA_PREFIX) ? `../${WEB_RESOURCES}/${src}` : src);

function mediaHtml(b: Block, lang: 'en' | 'mn'): string {
  const src = escapeHtml(fileHref(b.src ?? ''));
  const caption = `<figcaption>${escapeHtml(b[lang])}</figcaption>`;
  if (b.type === 'image')
    return `<figure><img src="${src}" alt="${escapeHtml(b.alt?.[lang] ?? '')}">${caption}</figure>`;
  if (b.type === 'audio')
    return `<figure><audio controls="controls" src="${src}"></audio>${caption}</figure>`;
  if (b.type === 'video')
    return `<figure><video controls="controls" src="${src}"></video>${caption}</figure>`;
  return `<p><a href="${src}">${escapeHtml(b[lang])}</a></p>`;
}

function lessonHtml(title: { en: string; mn: string }, blocks: Block[]): string {
  const part = (lang: 'en' | 'mn') =>
    `<section lang="${lang}">\n<h1>${escapeHtml(title[lang])}</h1>\n` +
    blocks
      .map((b) => {
        if (b.src) return mediaHtml(b, lang);
        return b.type === 'callout' ? `<aside>${paragraphs(b[lang])}</aside>` : paragraphs(b[lang]);
      })
      .join('\n') +
    `\n</section>`;
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title.en)} / ${escapeHtml(title.mn)}</title>\n</head>\n<body>\n${part('en')}\n${part('mn')}\n</body>\n</html>\n`;
}

const mattext = (t: { en?: string; mn?: string } | undefined) =>
  `<material><mattext texttype="text/html">${escapeXml(both(t))}</mattext></material>`;

function item(q: InterchangeQuestion): string {
  const profile = PROFILE[q.type]!;
  const multi = profile === 'cc.multiple_response.v0p1';
  const right = q.options.filter((o) => isCorrect(q.type, o)).map((o) => o.id);
  const wrong = q.options.filter((o) => !right.includes(o.id)).map((o) => o.id);
  const condition = multi
    ? `<and>${right.map((id) => `<varequal respident="response1">${id}</varequal>`).join('')}${wrong.map((id) => `<not><varequal respident="response1">${id}</varequal></not>`).join('')}</and>`
    : `<varequal respident="response1">${right[0] ?? ''}</varequal>`;
  const stem = {
    en: [q.case?.en, q.excerpt?.en, q.stem.en].filter(Boolean).join('\n\n'),
    mn: [q.case?.mn, q.excerpt?.mn, q.stem.mn].filter(Boolean).join('\n\n'),
  };
  return [
    `<item ident="${escapeXml(q.qid)}" title="${escapeXml(q.qid)}">`,
    `<itemmetadata><qtimetadata>`,
    `<qtimetadatafield><fieldlabel>cc_profile</fieldlabel><fieldentry>${profile}</fieldentry></qtimetadatafield>`,
    `<qtimetadatafield><fieldlabel>cc_weighting</fieldlabel><fieldentry>1</fieldentry></qtimetadatafield>`,
    `</qtimetadata></itemmetadata>`,
    `<presentation>${mattext(stem)}`,
    `<response_lid ident="response1" rcardinality="${multi ? 'Multiple' : 'Single'}"><render_choice>`,
    ...q.options.map((o) => `<response_label ident="${o.id}">${mattext(o.text)}</response_label>`),
    `</render_choice></response_lid></presentation>`,
    `<resprocessing><outcomes><decvar varname="SCORE" vartype="Decimal" minvalue="0" maxvalue="100"/></outcomes>`,
    `<respcondition continue="No"><conditionvar>${condition}</conditionvar><setvar varname="SCORE" action="Set">100</setvar>${q.explanation ? `<displayfeedback feedbacktype="Response" linkrefid="general_fb"/>` : ''}</respcondition>`,
    `</resprocessing>`,
    q.explanation
      ? `<itemfeedback ident="general_fb"><flow_mat><material><mattext texttype="text/html">${escapeXml(both(q.explanation))}</mattext></material></flow_mat></itemfeedback>`
      : '',
    `</item>`,
  ].join('\n');
}

function assessment(ident: string, title: string, questions: InterchangeQuestion[]): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<questestinterop xmlns="${NS.qti}" xmlns:xsi="${NS.xsi}" xsi:schemaLocation="${QTI_LOCATION}">`,
    `<assessment ident="${ident}" title="${escapeXml(title)}">`,
    `<qtimetadata><qtimetadatafield><fieldlabel>cc_profile</fieldlabel><fieldentry>cc.exam.v0p1</fieldentry></qtimetadatafield>`,
    `<qtimetadatafield><fieldlabel>qmd_assessmenttype</fieldlabel><fieldentry>Examination</fieldentry></qtimetadatafield></qtimetadata>`,
    `<section ident="${ident}_section">`,
    ...questions.map(item),
    `</section></assessment></questestinterop>`,
    '',
  ].join('\n');
}

/** The course as an IMS Common Cartridge 1.3 (.imscc): lessons as web pages, quizzes as QTI. */
export async function exportCommonCartridge(ctx: AppContext, slug: string) {
  const found = await courseWithPublishedLessons(ctx, slug);
  if (!found) throw new NotFound();
  const { course, lessons } = found;
  const { quizzes, questions } = await courseQuizBank(ctx, course._id);
  const byQid = new Map(questions.map((q) => [q.qid, fromBankQuestion(q)]));
  const zip = new JSZip();
  const items: string[] = [];
  const resources: string[] = [];
  const left = new Set<string>();
  // The library files the lessons show, as one shared web resource every lesson depends on.
  const shown = new Set(lessons.flatMap((l) => l.blocks.map((b) => mediaRef(b.src)).filter((n) => !!n)));
  const media = (await courseMedia(ctx, course._id)).filter((m) => shown.has(m.name));
  for (const m of media)
    zip.file(`${WEB_RESOURCES}/${MEDIA_PREFIX}${m.name}`, await ctx.storage.read(m.storageKey), {
      compression: 'STORE',
    });
  const dependency = media.length ? '<dependency identifierref="R_MEDIA"/>' : '';
  lessons.forEach((l, i) => {
    const id = `L${i + 1}`;
    const href = `lessons/${l.slug}.html`;
    zip.file(href, lessonHtml(l.title, l.blocks));
    items.push(
      `<item identifier="I_${id}" identifierref="R_${id}"><title>${escapeXml(`${l.title.en} / ${l.title.mn}`)}</title></item>`,
    );
    resources.push(
      `<resource identifier="R_${id}" type="webcontent" href="${href}"><file href="${href}"/>${dependency}</resource>`,
    );
  });
  if (media.length)
    resources.push(
      `<resource identifier="R_MEDIA" type="webcontent">${media
        .map((m) => `<file href="${WEB_RESOURCES}/${MEDIA_PREFIX}${m.name}"/>`)
        .join('')}</resource>`,
    );
  quizzes
    .slice()
    .sort((a, b) => a.key.localeCompare(b.key))
    .forEach((quiz, i) => {
      const ids = quiz.forms?.[0]?.questionIds ?? quiz.questionIds;
      const list = ids.map((qid) => byQid.get(qid)).filter((q): q is InterchangeQuestion => !!q);
      for (const q of list) if (!PROFILE[q.type]) left.add(q.qid);
      const kept = list.filter((q) => PROFILE[q.type]);
      if (!kept.length) return;
      const id = `Q${i + 1}`;
      const href = `${id}/assessment.xml`;
      const title = `${quiz.title.en} / ${quiz.title.mn}`;
      zip.file(href, assessment(id, title, kept));
      items.push(
        `<item identifier="I_${id}" identifierref="R_${id}"><title>${escapeXml(title)}</title></item>`,
      );
      resources.push(
        `<resource identifier="R_${id}" type="imsqti_xmlv1p2/imscc_xmlv1p3/assessment"><file href="${href}"/></resource>`,
      );
    });
  const manifest = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<manifest identifier="umbrella-${escapeXml(course.slug)}" xmlns="${NS.cp}" xmlns:lomimscc="${NS.lomimscc}" xmlns:xsi="${NS.xsi}" xsi:schemaLocation="${SCHEMA_LOCATION}">`,
    `<metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion>`,
    `<lomimscc:lom><lomimscc:general><lomimscc:title><lomimscc:string language="en">${escapeXml(course.title.en)}</lomimscc:string><lomimscc:string language="mn">${escapeXml(course.title.mn)}</lomimscc:string></lomimscc:title></lomimscc:general></lomimscc:lom>`,
    `</metadata>`,
    `<organizations><organization identifier="O_1" structure="rooted-hierarchy"><item identifier="root">`,
    ...items,
    `</item></organization></organizations>`,
    `<resources>`,
    ...resources,
    `</resources>`,
    `</manifest>`,
    '',
  ].join('\n');
  zip.file('imsmanifest.xml', manifest);
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
  return { slug: course.slug, zip: buffer, left: [...left] };
}
