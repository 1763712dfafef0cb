import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { AppContext } from '../../server/context';
import { dateFormatter, translator } from '../../server/i18n';
import type { Certificate } from './model';

/**
 * pdfkit's standard fonts are Latin-1 only; Mongolian needs Cyrillic. DejaVu Sans comes from the
 * dejavu-fonts-ttf package and is read once per process.
 */
export const CERTIFICATE_FONT = 'DejaVuSans';
const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | undefined;
function loadFonts() {
  fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

export const verifyUrl = (ctx: AppContext, code: string) =>
  `${ctx.config.baseUrl}/verify/${encodeURIComponent(code)}`;

const en = translator('en');
const mn = translator('mn');

/** A4 landscape, Mongolian above English throughout. Resolves to the finished file. */
export async function renderCertificatePdf(ctx: AppContext, cert: Certificate): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const url = verifyUrl(ctx, cert.code);
  const qr = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });
  const tz = ctx.config.defaultTimeZone;
  const date = {
    en: dateFormatter('en', tz).date(cert.issuedAt),
    mn: dateFormatter('mn', tz).date(cert.issuedAt),
  };

  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 50,
    info: {
      Title: `${en('certificates.pdf.title')} — ${cert.courseTitle.en}`,
      Author: 'Umbrella Newsroom',
      Subject: cert.code,
      Keywords: `certificate ${cert.code}`,
    },
  });
  doc.registerFont(CERTIFICATE_FONT, regular);
  doc.registerFont(`${CERTIFICATE_FONT}-Bold`, bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const { width, height } = doc.page;
  const inner = width - 100;
  doc
    .lineWidth(3)
    .strokeColor('#0b5cad')
    .rect(25, 25, width - 50, height - 50)
    .stroke();
  doc
    .lineWidth(1)
    .rect(33, 33, width - 66, height - 66)
    .stroke();

  const line = (text: string, size: number, opts: { bold?: boolean; color?: string; gap?: number } = {}) => {
    doc
      .font(opts.bold ? `${CERTIFICATE_FONT}-Bold` : CERTIFICATE_FONT)
      .fontSize(size)
      .fillColor(opts.color ?? '#1b1f24')
      .text(text, 50, undefined, { width: inner, align: 'center' });
    doc.moveDown(opts.gap ?? 0.2);
  };

  doc.y = 85;
  line(mn('certificates.pdf.title'), 30, { bold: true, color: '#0b5cad' });
  line(en('certificates.pdf.title'), 18, { color: '#57606a', gap: 1.5 });
  line(`${mn('certificates.pdf.certifies')} / ${en('certificates.pdf.certifies')}`, 12, { color: '#57606a' });
  line(cert.holderName, 26, { bold: true, gap: 0.5 });
  line(`${mn('certificates.pdf.completed')} / ${en('certificates.pdf.completed')}`, 12, { color: '#57606a' });
  line(cert.courseTitle.mn, 18, { bold: true });
  line(cert.courseTitle.en, 15, { gap: 1 });
  line(
    `${mn('certificates.pdf.issuedOn')}: ${date.mn}   ·   ${en('certificates.pdf.issuedOn')}: ${date.en}`,
    11,
  );

  const qrSize = 110;
  const bottom = height - 60 - qrSize;
  doc.image(qr, width - 60 - qrSize, bottom, { width: qrSize, height: qrSize });
  doc.font(CERTIFICATE_FONT).fontSize(10).fillColor('#1b1f24');
  const left = { width: inner - qrSize - 30 };
  doc.text(`${mn('certificates.pdf.code')} / ${en('certificates.pdf.code')}:`, 60, bottom + 5, left);
  doc.font(`${CERTIFICATE_FONT}-Bold`).fontSize(16).text(cert.code, left);
  doc.font(CERTIFICATE_FONT).fontSize(9).fillColor('#57606a').text(url, left);
  doc.moveDown(0.6);
  doc.fontSize(10).fillColor('#1b1f24').text(mn('certificates.pdf.issuedBy'), left);
  doc.text(en('certificates.pdf.issuedBy'), left);
  doc.end();
  return done;
}
