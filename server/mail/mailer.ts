import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one message; throws with `responseCode` on SMTP failure (5xx = permanent). */
export interface Mailer {
  /** 'dev' keeps mail in the outbox for the admin dev-outbox page instead of sending it. */
  kind: 'smtp' | 'dev';
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** Refuses header values that could smuggle extra headers. */
function assertNoLineBreaks(...values: string[]): void {
  for (const v of values) if (/[\r\n]/.test(v)) throw new Error('line break in a mail header');
}

export function createMailer(options: { smtpUrl?: string; from: string; transport?: Transporter }): Mailer {
  const transport =
    options.transport ??
    (options.smtpUrl
      ? nodemailer.createTransport(options.smtpUrl)
      : nodemailer.createTransport({ jsonTransport: true }));
  return {
    kind: options.transport || options.smtpUrl ? 'smtp' : 'dev',
    async send(mail) {
      assertNoLineBreaks(mail.to, mail.subject, options.from);
      const info = await transport.sendMail({
        from: options.from,
        ...mail,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}
