import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';

export type SmtpMode = 'accept' | 'temporary' | 'permanent';

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** Attempts the server saw, accepted or not (RCPT commands). */
  attempts: number;
  mode: SmtpMode;
  /** A nodemailer transport pointing at this server. */
  transport(): Transporter;
  /** Stops listening: connections to `port` are refused until up(). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function reject(mode: SmtpMode): Error | undefined {
  if (mode === 'temporary') return smtpError(451, '4.3.0 Try again later');
  if (mode === 'permanent') return smtpError(550, '5.1.1 Mailbox unavailable');
  return undefined;
}

/**
 * A real SMTP server on 127.0.0.1 (random port). Set `mode` per test: 'accept' collects the message
 * (parsed with mailparser), 'temporary' answers RCPT and DATA with 451, 'permanent' with 550.
 */
export async function startTestSmtp(): Promise<TestSmtp> {
  const state = { mode: 'accept' as SmtpMode, attempts: 0 };
  const received: ReceivedMail[] = [];
  const makeServer = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        state.attempts++;
        callback(reject(state.mode) ?? null);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const err = reject(state.mode);
          if (err) return callback(err);
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
              callback(null);
            })
            .catch((e: Error) => callback(e));
        });
      },
    });
  const listen = (server: SMTPServer, port: number) =>
    new Promise<number>((resolve, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(port, '127.0.0.1', () => {
        const addr = server.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
  const close = (server: SMTPServer) => new Promise<void>((resolve) => server.close(() => resolve()));
  let server: SMTPServer | undefined = makeServer();
  const port = await listen(server, 0);
  return {
    port,
    received,
    get attempts() {
      return state.attempts;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: SmtpMode) {
      state.mode = m;
    },
    transport: () => smtpTransport(port),
    async down() {
      if (server) await close(server);
      server = undefined;
    },
    async up() {
      if (server) return;
      server = makeServer();
      await listen(server, port);
    },
    async close() {
      if (server) await close(server);
      server = undefined;
    },
  };
}

export function smtpTransport(port: number): Transporter {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 2000,
    greetingTimeout: 2000,
    socketTimeout: 5000,
  });
}

/** A port nothing listens on: connecting to it is refused ("SMTP server down"). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  const port = await new Promise<number>((resolve) =>
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    }),
  );
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
