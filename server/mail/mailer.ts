import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

/** A small file sent with a message (a calendar invitation): text content, never a path or URL. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

/** Sends one message; throws with `responseCode` on SMTP failure (5xx = permanent). */
export interface Mailer {
  /** 'dev' keeps mail in the outbox for the admin dev-outbox page instead of sending it. */
  kind: 'smtp' | 'dev';
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** A message that can never be sent as it is (bad address, header injection): retrying will not help. */
export class UnsendableMail extends Error {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'UnsendableMail';
  }
}

/** One address, no display name, no line breaks or header syntax: what we accept in a To header. */
const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isValidAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value);
}

/** Refuses header values that could smuggle extra headers. */
function assertNoLineBreaks(...values: string[]): void {
  for (const v of values)
    if (/[\r\n\u2028\u2029]/.test(v)) throw new UnsendableMail('line break in a mail header');
}

/**
 * Well inside the outbox worker's 2-minute claim, so a hung SMTP server fails the attempt (and it is
 * retried) instead of letting a second worker take the message over while the first may still send it.
 * Query parameters in SMTP_URL override these.
 */
const SEND_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 10_000, socketTimeout: 45_000 };

export function createMailer(options: { smtpUrl?: string; from: string; transport?: Transporter }): Mailer {
  const transport =
    options.transport ??
    (options.smtpUrl
      ? nodemailer.createTransport({ url: options.smtpUrl, ...SEND_TIMEOUTS })
      : nodemailer.createTransport({ jsonTransport: true }));
  return {
    kind: options.transport || options.smtpUrl ? 'smtp' : 'dev',
    async send(mail) {
      const attachments = mail.attachments ?? [];
      assertNoLineBreaks(mail.to, mail.subject, options.from);
      assertNoLineBreaks(...attachments.flatMap((a) => [a.filename, a.contentType]));
      if (!isValidAddress(mail.to)) throw new UnsendableMail('invalid recipient address');
      const info = await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(attachments.length
          ? {
              attachments: attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
            }
          : {}),
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}
