import path from 'node:path';
import ejs from 'ejs';
import { viewsDir as ourViews } from '../../server/paths';
import { translator } from '../../server/i18n';
import type { Locale } from '../../server/types';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Renders views/emails/<module>/<name>.html.ejs and .text.ejs (template = '<module>/<name>') in the
 * reader's language; the subject is the i18n key `<module>.emails.<name>.subject`. Templates get `t`,
 * `data` and `baseUrl` (links come from configuration, never from a request's Host header).
 */
export async function renderEmail(
  template: string,
  locale: Locale,
  data: Record<string, unknown>,
  baseUrl: string,
): Promise<RenderedEmail> {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(template);
  if (!match) throw new Error(`bad e-mail template name: ${template}`);
  const [, module, name] = match;
  const t = translator(locale);
  const locals = { t, data, baseUrl, lang: locale };
  const file = (kind: string) => path.join(ourViews, 'emails', `${template}.${kind}.ejs`);
  const [html, text] = await Promise.all([
    ejs.renderFile(file('html'), locals, { cache: true, views: [ourViews] }),
    ejs.renderFile(file('text'), locals, { cache: true, escape: (s: unknown) => String(s ?? '') }),
  ]);
  const subject = t(`${module}.emails.${name}.subject`, data).replace(/[\r\n]+/g, ' ');
  return { subject, html, text };
}
